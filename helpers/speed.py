"""How fast this machine trains, measured against the course's reference machine.

Every training in the course runs a fixed number of steps, so a slow laptop gets
the same numbers as the reference machine, only later. How much later is what
this module says. :func:`probe_seconds` times a small, fixed training workload
(about a second); :data:`REFERENCE_PROBE_S` is what the same probe takes on the
reference machine, the one whose run ``bench/RESULTS.md`` records. A lesson's
set-up cell prints::

    print(describe_speed(training_s=pick(full=60, quick=10)))

where ``training_s`` is how long the lesson's trainings take on the reference
machine. ``make bench`` runs the same probe beside every notebook and reports
each time also in reference seconds: the wall time divided by the slowdown.
"""

from __future__ import annotations

import os
import statistics
import time

from helpers.mode import PRETRAINED_VARIABLE, use_pretrained

# The probe's median on the reference machine (2 cores, TensorFlow 2.21 CPU build,
# oneDNN on), calibrated against the steps per second of lesson 05's networks
# in the reference run: see bench/RESULTS.md, "The speed probe".
REFERENCE_PROBE_S = 0.31

PROBE_STEPS = 50
PROBE_BATCH = 32
PROBE_REPEATS = 7


def probe_seconds(repeats: int = PROBE_REPEATS) -> float:
    """Time a fixed small training (50 steps of a tiny conv net); return the median."""
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as every lesson sets it
    import keras
    import numpy as np

    if repeats < 1:
        raise ValueError(f"repeats must be 1 or more, got {repeats}")
    rng = np.random.default_rng(0)
    images = rng.random((PROBE_STEPS * PROBE_BATCH, 28, 28, 1), dtype=np.float32)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.Conv2DTranspose(
                16, 3, strides=2, padding="same", activation="relu"
            ),
            keras.layers.Conv2D(1, 3, padding="same"),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    first = images[:PROBE_BATCH]
    model.fit(first, first, batch_size=PROBE_BATCH, verbose=0)  # builds the graph
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(images, images, batch_size=PROBE_BATCH, shuffle=False, verbose=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slowdown(probe_s: float, reference_s: float = REFERENCE_PROBE_S) -> float:
    """Return how many times slower than the reference machine a probe time is."""
    if probe_s <= 0 or reference_s <= 0:
        raise ValueError(f"probe times must be positive, got {probe_s}, {reference_s}")
    return probe_s / reference_s


def _duration(seconds: float) -> str:
    """Return seconds as '40 s' or 'about 3 min', rounded as a plan needs."""
    if seconds < 90:
        return f"{max(5, 5 * round(seconds / 5)):.0f} s"
    return f"about {seconds / 60:.0f} min"


# How far a lesson's trainings strayed from the probe's forecast, measured: 0.47 to
# 1.28 times it (bench/RESULTS.md, "The speed probe"). The forecast says so.
FORECAST_SPAN = (0.5, 1.5)


def _span(seconds: float) -> str:
    """Return the span a forecast of ``seconds`` allows, as '35-105 s' or '1-2 min'."""
    low, high = (seconds * share for share in FORECAST_SPAN)
    if high < 90:
        return f"{max(5, 5 * round(low / 5)):.0f}-{max(5, 5 * round(high / 5)):.0f} s"
    return f"{max(1, round(low / 60)):.0f}-{max(2, round(high / 60)):.0f} min"


def describe_speed(
    training_s: float, probe_s: float | None = None, pretrained: bool = True
) -> str:
    """Say how this machine compares with the reference and what training costs here.

    ``training_s`` is the lesson's training time on the reference machine;
    ``probe_s`` a probe time already measured (measured now when None);
    ``pretrained`` says whether the lesson can load trained weights instead.
    """
    if training_s < 0:
        raise ValueError(f"training_s must be 0 or more, got {training_s}")
    probe_s = probe_seconds() if probe_s is None else probe_s
    factor = slowdown(probe_s)
    if factor >= 1.15:
        pace = f"{factor:.1f}x slower than the reference machine"
    elif factor <= 1 / 1.15:
        pace = f"{1 / factor:.1f}x faster than the reference machine"
    else:
        pace = "about as fast as the reference machine"
    line = f"Speed check: this machine is {pace} (probe {probe_s:.2f} s)."
    if training_s == 0:
        return line + " This lesson trains nothing."
    here = _span(training_s * factor)
    there = _duration(training_s)
    if use_pretrained() and pretrained:
        return (
            f"{line} {PRETRAINED_VARIABLE}=1: the trainings are skipped "
            f"(they would take {here} here, {there} on the reference machine)."
        )
    skip = f"; {PRETRAINED_VARIABLE}=1 skips them" if pretrained else ""
    return (
        f"{line} The trainings below take {here} here ({there} on the reference "
        "machine; a probe of a few seconds cannot say closer: the load of the "
        f"moment moves it){skip}. The results do not depend on the speed: every "
        "training runs a fixed number of steps."
    )
