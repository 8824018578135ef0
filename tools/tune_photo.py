"""Choose lesson 06's photo network settings on the validation photo only.

Lesson 06 trains lesson 05's U-Net on patches of photographs for 45 seconds of the
reference machine. Its batch size and peak learning rate are chosen here, once,
by a maintainer: this script trains every setting of a small grid at that equal
cost, with the lesson's own code (``helpers.lesson06``, exported from the lesson's
``# @save`` cells, and lesson 05's ``train``), scores each on the validation photo
(the astronaut, at both noise levels), prints the table and the choice. The test
photos are never touched. The lesson then uses the choice and says where it comes
from; ``bench/RESULTS.md`` records the run::

    python -m tools.tune_photo [--keep DIR]

Equal cost means equal seconds, not equal steps. 1,672 steps of batches of 32 take
45 s on the reference machine (lesson 06). A batch of another size takes another
time per step, so the script measures the seconds per step of every batch size in
the same run, here (the median of a few timed blocks of steps, the sizes taking
turns), and scales 1,672 steps by the ratio. ``--keep DIR`` saves each setting's
trained weights there, for a maintainer's later look.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as every lesson sets it

STEPS_OF_32_IN_45_S = 1_672  # batches of 32: measured on the reference machine
BATCH_SIZES = (16, 32)
PEAKS = (0.001, 0.002, 0.005, 0.01)
SEED = 42  # the lesson's
TIMED_BLOCKS, BLOCK_STEPS, ROUNDS = 4, 40, 2  # per batch size: 8 blocks of 40 steps


def seconds_per_step(patches, batch_sizes=BATCH_SIZES) -> dict[int, float]:
    """Median seconds per training step of each batch size, the sizes taking turns."""
    import keras

    from helpers.lesson05 import build_unet
    from helpers.lesson06 import photo_batches

    class BlockTimer(keras.callbacks.Callback):
        """Note the seconds of every epoch (one block of steps)."""

        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    blocks = {size: [] for size in batch_sizes}
    for _ in range(ROUNDS):
        for size in batch_sizes:
            model = build_unet(name="timing")
            model.compile(optimizer=keras.optimizers.Adam(0.001), loss="mse")
            timer = BlockTimer()
            model.fit(
                photo_batches(patches, size, seed=SEED),
                steps_per_epoch=BLOCK_STEPS,
                epochs=1 + TIMED_BLOCKS,  # the first block builds the graph: dropped
                shuffle=False,  # the batches come shuffled
                callbacks=[timer],
                verbose=0,
            )
            blocks[size] += [s / BLOCK_STEPS for s in timer.seconds[1:]]
    return {size: statistics.median(times) for size, times in blocks.items()}


def main(argv: list[str] | None = None) -> int:
    """Train each grid setting at equal cost, score on the validation photo, choose."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--keep", type=Path, help="save each setting's weights here")
    args = parser.parse_args(argv)
    for switch in ("COURSE_PRETRAINED", "COURSE_SAVE_WEIGHTS"):
        os.environ.pop(switch, None)  # train here; never load or overwrite weights

    import keras
    import tensorflow as tf

    from helpers import describe_mode
    from helpers.lesson03 import add_noise
    from helpers.lesson05 import build_unet, denoise, steps_for, train
    from helpers.lesson06 import (
        N_PATCHES,
        PATCH,
        PHOTO_SIGMAS,
        TRAIN_PHOTOS,
        VAL_PHOTO,
        cut_patches,
        load_gray,
        noisy_halves,
        photo_batches,
    )
    from helpers.metrics import psnr
    from helpers.report import print_table

    print(describe_mode())
    tf.get_logger().setLevel("ERROR")  # hide retracing notes from repeated predict()
    keras.utils.set_random_seed(SEED)
    photos = [load_gray(name) for name in TRAIN_PHOTOS]
    patches = cut_patches(photos, N_PATCHES, PATCH, seed=SEED)  # as the lesson
    val_photo = load_gray(VAL_PHOTO)
    val_patches = cut_patches([val_photo], 200, PATCH, seed=SEED + 1)
    validation = (noisy_halves(val_patches, seed=6), val_patches)  # quarter checks
    val_clean = val_photo[None, ..., None]  # the whole validation photo scores
    val_noisy = {
        level: add_noise(val_clean, sigma, seed=21).numpy()
        for level, sigma in PHOTO_SIGMAS.items()
    }

    per_step = seconds_per_step(patches)
    ratio = {size: per_step[32] / per_step[size] for size in BATCH_SIZES}
    steps_in_45 = {
        size: round(STEPS_OF_32_IN_45_S * ratio[size]) for size in BATCH_SIZES
    }
    print("Seconds per step here (median of timed blocks) and steps in 45 reference s:")
    for size in BATCH_SIZES:
        print(
            f"  batches of {size}: {1000 * per_step[size]:.1f} ms per step, "
            f"{ratio[size]:.3f} x the steps of 32 -> {steps_in_45[size]:,} steps"
        )

    rows = {}
    for size in BATCH_SIZES:
        for peak in PEAKS:
            keras.utils.set_random_seed(SEED)  # every setting starts alike
            model = build_unet(name="photo_unet")
            train(
                model,
                photo_batches(patches, size, seed=SEED),
                steps_for(steps_in_45[size]),
                peak_learning_rate=peak,
                validation=validation,
                weights="06_photo_unet",  # never saved: the switch is off
            )
            scores = {
                f"PSNR {level} (dB)": float(psnr(val_clean, denoise(model, noisy))[0])
                for level, noisy in val_noisy.items()
            }
            rows[f"batch {size}, peak {peak:g}"] = {
                "batch": size,
                "peak": peak,
                "steps": steps_for(steps_in_45[size]),
                **scores,
                "mean (dB)": statistics.fmean(scores.values()),
            }
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                model.save_weights(args.keep / f"b{size}_p{peak:g}.weights.h5")
    print(f"\nValidation photo ({VAL_PHOTO}, whole, one noise draw per level):")
    formats = {column: ".2f" for column in next(iter(rows.values())) if "dB" in column}
    print_table(rows, {**formats, "peak": "g"}, "setting")
    best = max(rows, key=lambda name: rows[name]["mean (dB)"])
    choice = rows[best]
    print(
        f"\nchosen on the validation photo: batches of {choice['batch']}, peak "
        f"learning rate {choice['peak']:g}, {steps_in_45[choice['batch']]:,} steps "
        "in 45 reference seconds"
    )
    if choice["peak"] in (PEAKS[0], PEAKS[-1]):
        print("note: the best peak lies at the grid's edge; a wider grid may do better")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
