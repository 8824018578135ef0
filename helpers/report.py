"""Key figures: the numbers a lesson measured, shown to the learner and to the bench.

A notebook ends with ``key_figures = report({...})``; ``make bench`` reads that
variable after running the notebook in full mode.
"""

from __future__ import annotations

from collections.abc import Mapping


def report(figures: Mapping[str, float | int | str]) -> dict[str, float | int | str]:
    """Print the figures a lesson measured as an aligned table and return them."""
    if not figures:
        raise ValueError("figures is empty; pass a dict like {'PSNR (dB)': 18.9}")
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {shown}")
    return dict(figures)
