"""Choose lesson 05's learning rates on validation images, one way for every network.

Usage: ``python -m tools.tune [--steps-only] [--out bench/latest-tune.md]``
(``make bench-tune``, about 15 reference minutes).

Lesson 05 compares three networks at one training cost: the steps each takes in 45
seconds on the reference machine, all with batches of 32. This script runs each of
them, and the U-Net without its subtraction (``residual=False``, which tells the
U-Net's two ideas apart), once per peak learning rate of ``LEARNING_RATES``, with
the lesson's own exported code (``helpers.lesson05``: ``noisy_batches``, ``train``,
``build_unet``; lesson 04's ``NoiseReducer``), on the lesson's data and noise seeds,
and scores every run on all 10,000 validation images. The test set is never touched.
The lesson writes the best rate of each network down as a constant (a best rate at
an edge of the rates tried sends the search one rate further), with this table in
bench/RESULTS.md. One extra row trains the U-Net with the settings it had before
(batches of 16, peak 0.005), so the lesson can say what those bought.

``--steps-only`` measures seconds per training step instead: each network at
batches of 32, and the U-Net at batches of 16, whose 4,004 steps in 45 s on the
reference machine fix the scale for the others. Run it on an idle machine: other
programs slow small networks more than large ones.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEARNING_RATES = (0.0025, 0.005, 0.01, 0.02)
BATCH_SIZE = 32
SEED = 42
# The U-Net without its subtraction costs what the U-Net costs: the same steps.
SAME_STEPS = {"U-Net, skips only": "U-Net"}


def builders() -> dict:
    """Lesson 05's three networks, built as the lesson builds them, and the U-Net
    without its subtraction, at the U-Net's steps."""
    from helpers.lesson04 import NoiseReducer
    from helpers.lesson05 import build_unet

    return {
        "lesson 04 (16/8)": lambda: NoiseReducer(name="noise_reducer"),
        "wider (64/32)": lambda: NoiseReducer(widths=(64, 32), name="wider"),
        "U-Net": lambda: build_unet(),
        "U-Net, skips only": lambda: build_unet(name="unet_plain", residual=False),
    }


def lesson_data() -> tuple:
    """Lesson 05's training images and noisy validation images (full mode)."""
    from helpers.data import load_dataset
    from helpers.lesson03 import NOISE_FACTOR, add_noise, split_and_scale

    (x_train_raw, _), (x_test_raw, _) = load_dataset("fashion_mnist")
    sets = split_and_scale(x_train_raw, x_test_raw, 50_000, 10_000, len(x_test_raw))
    x_train, x_val = sets[:2]  # tuning never looks at the test set
    return x_train, x_val, add_noise(x_val, NOISE_FACTOR, seed=2).numpy()


def seconds_per_step(model, batches, blocks: int = 5, steps: int = 60) -> float:
    """Median wall seconds per step of a compiled model over a few timed blocks."""
    model.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0)  # builds the graph
    times = []
    for _ in range(blocks):
        start = time.perf_counter()
        model.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0)
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times)


def measure_steps() -> str:
    """Time every network's step; scale by the U-Net's 4,004 steps at batches of 16."""
    import keras
    import tensorflow as tf

    from helpers.lesson03 import NOISE_FACTOR
    from helpers.lesson05 import STEPS_IN_45_S, noisy_batches

    x_train, _, _ = lesson_data()
    clean = tf.constant(x_train)
    runs = [(name, build, BATCH_SIZE) for name, build in builders().items()]
    runs.append(("U-Net", builders()["U-Net"], 16))
    timed = {}
    for name, build, batch_size in runs:
        keras.utils.set_random_seed(SEED)
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        batches = noisy_batches(clean, NOISE_FACTOR, batch_size, seed=SEED)
        timed[(name, batch_size)] = seconds_per_step(model, batches)
    scale = 4_004 * timed[("U-Net", 16)]  # 45 reference seconds, here
    lines = ["| network | batch | ms per step here | steps in 45 reference s |"]
    lines.append("|---|---:|---:|---:|")
    for (name, batch_size), seconds in timed.items():
        steps = round(scale / seconds)
        known = (
            STEPS_IN_45_S.get(SAME_STEPS.get(name, name))
            if batch_size == BATCH_SIZE
            else None
        )
        note = f" (lesson: {known:,})" if known else ""
        lines.append(
            f"| {name} | {batch_size} | {1000 * seconds:.1f} | {steps:,}{note} |"
        )
    return "\n".join(lines)


def tune() -> str:
    """Train every network at every learning rate; score each on validation.

    Where a network's best rate lies at an edge of the rates tried, the next rate
    beyond that edge (half or double) is tried too, as often as it takes.
    """
    import keras
    import tensorflow as tf

    from helpers.lesson03 import NOISE_FACTOR
    from helpers.lesson05 import STEPS_IN_45_S, denoise, noisy_batches, steps_for, train
    from helpers.metrics import psnr

    x_train, x_val, x_val_noisy = lesson_data()
    clean = tf.constant(x_train)
    check = (x_val_noisy[:1_000], x_val[:1_000])

    def run(label: str, build, batch_size: int, rate: float, steps: int) -> float:
        keras.utils.set_random_seed(SEED)
        model = build()
        batches = noisy_batches(clean, NOISE_FACTOR, batch_size, seed=SEED)
        train(model, batches, steps, rate, check, weights="unused")
        value = float(psnr(x_val, denoise(model, x_val_noisy)).mean())
        print(f"{label}, peak {rate:g}: validation PSNR {value:.2f} dB", flush=True)
        return value

    scores: dict[str, dict[float, float]] = {}
    for name, build in builders().items():
        row = scores[name] = {}
        rates = list(LEARNING_RATES)
        while rates:
            for rate in rates:
                row[rate] = run(
                    name,
                    build,
                    BATCH_SIZE,
                    rate,
                    steps_for(STEPS_IN_45_S[SAME_STEPS.get(name, name)]),
                )
            best = max(row, key=row.get)
            rates = [best * 2] if best == max(row) else []
            rates += [best / 2] if best == min(row) else []
    label = "U-Net, batches of 16"  # its settings until 2026-12-07
    build = builders()["U-Net"]
    scores[label] = {0.005: run(label, build, 16, 0.005, 4_004)}
    tried = sorted({rate for row in scores.values() for rate in row})
    lines = [
        "| network (batches of 32) | "
        + " | ".join(f"{r:g}" for r in tried)
        + " | best |",
        "|---|" + "---:|" * (len(tried) + 1),
    ]
    for label, row in scores.items():
        cells = [f"{row[r]:.2f}" if r in row else "–" for r in tried]
        best = max(row, key=row.get)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {best:g} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the tuning (or the step timing) and write its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps-only", action="store_true", help="time the steps")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "latest-tune.md")
    args = parser.parse_args(argv)
    for variable in ("COURSE_PRETRAINED", "COURSE_SAVE_WEIGHTS", "COURSE_MODE"):
        os.environ.pop(variable, None)  # full mode, train for real, save nothing
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    start = time.perf_counter()
    table = measure_steps() if args.steps_only else tune()
    minutes = (time.perf_counter() - start) / 60
    text = f"{table}\n\n({minutes:.1f} min wall on this machine)\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
