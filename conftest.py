"""Test-wide settings: notebooks run in quick mode, offline, with quiet TensorFlow.

A notebook whose data set is nowhere on this machine (nor downloadable) is skipped
at collection, and what to do about each missing data set is said once, at the end,
instead of a cascade of failing cells.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
# CI keeps a copy of shared/ beside the checkout: MNIST's original files are there.
SHARED_DATA = ROOT.parent / "shared" / "data"

# The notebook kernels that nbval starts inherit this environment.
os.environ.setdefault("COURSE_MODE", "quick")
os.environ.setdefault("COURSE_SOLUTIONS", "1")  # every solution runs and is checked
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
if SHARED_DATA.is_dir():
    os.environ.setdefault("COURSE_DATA_DIR", str(SHARED_DATA))

LOADS = re.compile(r"""load_dataset\(\s*["'](\w+)["']""")
MISSING = "course data missing: "
_said: dict[str, list[str]] = {}  # advice -> the notebooks skipped for it


@cache
def datasets_loaded_by(notebook: Path) -> tuple[str, ...]:
    """Return the data sets a notebook's code cells pass to ``load_dataset``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return tuple(sorted(set(LOADS.findall(code))))


@cache
def missing_reason(name: str) -> str | None:
    """Return why data set ``name`` cannot be loaded here, or None when it can."""
    from helpers.data import DataUnavailableError, find_source

    try:
        find_source(name)
    except DataUnavailableError as error:
        return f"{MISSING}{error}"
    return None


def pytest_report_header(config: pytest.Config) -> str:
    """Name the data folder and the stand-in setting at the top of the run."""
    data_dir = os.environ.get("COURSE_DATA_DIR") or "(not set)"
    standin = os.environ.get("COURSE_ALLOW_MNIST_STANDIN") or "(not set)"
    return f"course data: COURSE_DATA_DIR={data_dir}, MNIST stand-in={standin}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the cells of each notebook whose data set cannot be loaded here."""
    for item in items:
        path = Path(str(item.path))
        if path.suffix != ".ipynb":
            continue
        for name in datasets_loaded_by(path):
            reason = missing_reason(name)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
                break


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note the advice of each data skip (xdist sends workers' reports here too)."""
    if report.skipped and isinstance(report.longrepr, (tuple, list)):
        reason = str(report.longrepr[2])
        if MISSING in reason:
            notebooks = _said.setdefault(reason.split(MISSING, 1)[1], [])
            notebook = Path(report.fspath).name
            if notebook not in notebooks:
                notebooks.append(notebook)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """Say once per missing data set what to do, and which notebooks it skipped."""
    if hasattr(config, "workerinput") or not _said:
        return
    terminalreporter.section("course data missing: notebooks skipped")
    for advice, notebooks in _said.items():
        terminalreporter.write_line(advice)
        terminalreporter.write_line(f"  Skipped: {', '.join(sorted(notebooks))}")
