"""Binder's configuration: repo2docker finds it, and it starts the course light."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(command, **env):
    """Run a command in the project folder with extra environment variables."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_binder_starts_in_quick_mode_with_the_trained_weights(monkeypatch):
    monkeypatch.delenv("COURSE_MODE", raising=False)
    monkeypatch.delenv("COURSE_PRETRAINED", raising=False)
    shown = run(["bash", "start", "env"])
    assert "COURSE_MODE=quick" in shown.splitlines()
    assert "COURSE_PRETRAINED=1" in shown.splitlines()


def test_a_mode_the_user_set_wins():
    shown = run(["bash", "start", "env"], COURSE_MODE="full", COURSE_PRETRAINED="0")
    assert "COURSE_MODE=full" in shown.splitlines()
    assert "COURSE_PRETRAINED=0" in shown.splitlines()


def test_post_build_installs_the_quiet_lab_settings(tmp_path):
    run(["bash", "postBuild"], NB_PYTHON_PREFIX=str(tmp_path))
    settings = tmp_path / "share/jupyter/lab/settings/overrides.d"
    copied = (settings / "denoising-course.json").read_text()
    assert copied == (ROOT / "jupyterlab-settings.json").read_text()


def test_repo2docker_picks_up_the_environment_post_build_and_start():
    """No Docker daemon here: repo2docker only writes its build script (Dockerfile)."""
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    if repo2docker is None:
        pytest.skip("jupyter-repo2docker is not installed (requirements-dev.txt)")
    result = subprocess.run(
        [repo2docker, "--no-build", "--no-run", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    script = result.stdout + result.stderr
    assert result.returncode == 0, script[-2000:]
    assert '--file "environment.yml"' in script
    assert "RUN ./postBuild" in script
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/start"' in script
