"""On Google Colab: install what the course needs and Colab lacks, keep Colab's builds.

Each lesson's first code cell does nothing outside Colab. On Colab it clones the
course, puts it on ``sys.path`` (so that ``import helpers`` works at once, with no
restart) and calls :func:`install`. That runs pip on the course's requirements
(``pyproject.toml``) with a constraint on the versions of TensorFlow, Keras and
NumPy that Colab has installed: pip adds what is missing (``bm3d``, for one) and
never swaps Colab's TensorFlow, which matches its GPU drivers, for another.

Only the standard library is used here: this module runs before the course's
requirements are installed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEEP = ("tensorflow", "keras", "numpy")  # Colab's own builds, never replaced


def course_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Return the course's runtime requirements, as pyproject.toml declares them."""
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def installed_versions(names: tuple[str, ...] = KEEP) -> dict[str, str]:
    """Return {distribution: version} of those of ``names`` that are installed."""
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def constraint_lines(versions: dict[str, str]) -> list[str]:
    """Return pip constraints that hold each distribution at its version."""
    return [f"{name}=={number}" for name, number in versions.items()]


def pip_command(requirements: list[str], constraints: Path) -> list[str]:
    """Return the pip call that installs ``requirements`` under ``constraints``."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--constraint",
        str(constraints),
        *requirements,
    ]


def install() -> dict[str, str]:
    """Install what the course needs and Colab lacks; return the versions kept."""
    start = time.perf_counter()
    kept = installed_versions()
    with tempfile.TemporaryDirectory() as folder:
        constraints = Path(folder) / "colab-constraints.txt"
        constraints.write_text("\n".join(constraint_lines(kept)) + "\n")
        result = subprocess.run(pip_command(course_requirements(), constraints))
    if result.returncode != 0:
        raise RuntimeError(
            f"pip could not install the course next to Colab's {kept}; the lines "
            "above say why. Run the cell again, or open the course elsewhere (README)"
        )
    kept_text = ", ".join(f"{name} {number}" for name, number in kept.items())
    seconds = time.perf_counter() - start
    print(f"Colab: the course is installed ({seconds:.0f} s); kept {kept_text}")
    return kept
