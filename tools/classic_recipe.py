"""Lesson 04's model trained once with the classic recipe, beside the lesson's."""

# The classic recipe is the seed article's: Adam at a fixed 0.001, MSE, 10 epochs,
# batches of 32, the course's noise (NOISE_FACTOR). Data, split and noise seeds are
# lesson 04's in full mode; the lesson's own run is its shipped weights.
# bench/RESULTS.md keeps the result.
from __future__ import annotations

import argparse
import os
import time
from typing import Any

SEED, N_VAL = 42, 10_000  # as lesson 04 sets them
LEARNING_RATE, BATCH_SIZE, EPOCHS = 0.001, 32, 10  # the classic recipe


def lesson_data() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return lesson 04's clean and noisy images (full mode) by role: train/val/test."""
    from helpers.data import load_dataset
    from helpers.lesson03 import (
        NOISE_FACTOR,
        add_noise,
        add_noise_in_pieces,
        split_and_scale,
    )

    (x_train_raw, _), (x_test_raw, _) = load_dataset("fashion_mnist")
    sets = split_and_scale(
        x_train_raw, x_test_raw, len(x_train_raw) - N_VAL, N_VAL, len(x_test_raw)
    )
    clean = dict(zip(("train", "val", "test"), sets, strict=True))
    noisy = {
        "train": add_noise_in_pieces(clean["train"], NOISE_FACTOR, seed=1),
        "val": add_noise(clean["val"], NOISE_FACTOR, seed=2).numpy(),
        "test": add_noise(clean["test"], NOISE_FACTOR, seed=3).numpy(),
    }
    return clean, noisy


def main(argv: list[str] | None = None) -> None:
    """Train with the classic recipe; print both models' PSNR/SSIM and the time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="default: 10")
    epochs = parser.parse_args(argv).epochs
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as every lesson sets it
    import keras

    from helpers.lesson04 import NoiseReducer
    from helpers.metrics import format_quality_table, quality_table
    from helpers.speed import probe_seconds, slowdown
    from helpers.weights import WEIGHTS_DIR

    clean, noisy = lesson_data()
    keras.utils.set_random_seed(SEED)
    classic = NoiseReducer()
    classic.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse")
    settings = {"epochs": epochs, "batch_size": BATCH_SIZE, "shuffle": True}
    settings["validation_data"] = (noisy["val"], clean["val"])  # for the loss only
    start = time.perf_counter()
    classic.fit(noisy["train"], clean["train"], **settings, verbose=2)
    seconds = time.perf_counter() - start
    lesson = NoiseReducer()
    lesson(noisy["val"][:1])  # a subclassed model is built by its first call
    lesson.load_weights(WEIGHTS_DIR / "04_noise_reducer.weights.h5")
    label = f"classic ({epochs} epochs)"
    models = {"lesson (3 epochs, warm-up + cosine)": lesson, label: classic}
    for role in ("val", "test"):
        outputs = {
            name: m.predict(noisy[role], verbose=0) for name, m in models.items()
        }
        table = quality_table(clean[role], noisy=noisy[role], **outputs)
        print(f"\n{role}, {len(clean[role]):,} images:\n{format_quality_table(table)}")
    factor = slowdown(probe_seconds())
    print(f"\nclassic training: {seconds:.0f} s, {seconds / factor:.0f} reference s")


if __name__ == "__main__":
    main()
