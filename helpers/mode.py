"""The run mode: ``full`` (the real lesson) or ``quick`` (small slices, for tests).

The mode comes from one environment variable, ``COURSE_MODE``, read here and
nowhere else. Notebooks ask for their sizes with :func:`pick`::

    EPOCHS = pick(full=10, quick=1)

Two more switches live here, for the same reason. ``COURSE_PRETRAINED=1`` makes
every training cell load the weights that ship with the course instead of
training (a rescue for slow laptops: full-quality results in seconds, even in
quick mode). ``COURSE_SAVE_WEIGHTS=1`` is for maintainers: ``make weights`` sets
it to write those weights after training.
"""

from __future__ import annotations

import os
from typing import TypeVar

MODE_VARIABLE = "COURSE_MODE"
MODES = ("full", "quick")
PRETRAINED_VARIABLE = "COURSE_PRETRAINED"
SAVE_WEIGHTS_VARIABLE = "COURSE_SAVE_WEIGHTS"
YES = {"1", "true", "yes", "on"}

T = TypeVar("T")


def run_mode() -> str:
    """Return the run mode named by ``COURSE_MODE`` (``full`` when unset)."""
    value = os.environ.get(MODE_VARIABLE, "full").strip().lower() or "full"
    if value not in MODES:
        raise ValueError(
            f"{MODE_VARIABLE} is {value!r}, expected one of {MODES}; "
            f"unset it for the full lesson or set {MODE_VARIABLE}=quick for a short run"
        )
    return value


def is_quick() -> bool:
    """Return True when the course runs in quick mode."""
    return run_mode() == "quick"


def pick(full: T, quick: T) -> T:
    """Return ``full`` or ``quick`` depending on the run mode."""
    return quick if is_quick() else full


def switch(variable: str) -> bool:
    """Return True when an on/off environment variable is switched on."""
    return os.environ.get(variable, "").strip().lower() in YES


def use_pretrained() -> bool:
    """Return True when training cells should load the course's trained weights."""
    return switch(PRETRAINED_VARIABLE)


def save_weights() -> bool:
    """Return True when training cells should save their weights (make weights)."""
    return switch(SAVE_WEIGHTS_VARIABLE)


def full_quality() -> bool:
    """Return True when results are full-lesson quality: full mode or pretrained."""
    return use_pretrained() or not is_quick()


def describe(pretrained: bool = True) -> str:
    """Return one line that says which mode is active and how to change it.

    ``pretrained`` says whether the lesson has trained weights to load.
    """
    if is_quick():
        line = (
            "Run mode: quick (small data slices, a fraction of the training). "
            f"Unset {MODE_VARIABLE} for the full lesson."
        )
    else:
        line = (
            "Run mode: full (the whole lesson). "
            f"Set {MODE_VARIABLE}=quick for a short run."
        )
    if use_pretrained() and pretrained:
        line += (
            f" {PRETRAINED_VARIABLE}=1: training cells load the course's trained "
            "weights instead of training."
        )
    elif use_pretrained():
        line += (
            f" {PRETRAINED_VARIABLE}=1 changes nothing here: this lesson has no "
            "trained weights to load."
        )
    return line
