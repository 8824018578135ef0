"""The run mode: ``full`` (the real lesson) or ``quick`` (small slices, for tests).

The mode comes from one environment variable, ``COURSE_MODE``, read here and
nowhere else. Notebooks ask for their sizes with :func:`pick`::

    EPOCHS = pick(full=10, quick=1)
"""

from __future__ import annotations

import os
from typing import TypeVar

MODE_VARIABLE = "COURSE_MODE"
MODES = ("full", "quick")

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


def describe() -> str:
    """Return one line that says which mode is active and how to change it."""
    if is_quick():
        return (
            "Run mode: quick (small data slices, 1-2 epochs). "
            f"Unset {MODE_VARIABLE} for the full lesson."
        )
    return (
        f"Run mode: full (the whole lesson). Set {MODE_VARIABLE}=quick for a short run."
    )
