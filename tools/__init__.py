"""Maintainer commands, run by make: the benchmark, the HTML build, the data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def lessons() -> list[Path]:
    """Return the course's lessons in order, notebooks/NN_*.ipynb: the one list."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
