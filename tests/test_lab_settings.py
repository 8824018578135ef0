"""The course's JupyterLab settings: no news pop-up, no update check, and they work.

jupyterlab-settings.json holds defaults that JupyterLab reads from
``<app dir>/settings/overrides.d/*.json``; ``make lab`` copies it into .venv there.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "jupyterlab-settings.json"
INSTALLED = "share/jupyter/lab/settings/overrides.d/denoising-course.json"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"

jupyterlab = pytest.importorskip("jupyterlab.commands")


def schema_of(plugin: str) -> dict:
    """Return the installed JSON schema of a plugin id such as '@scope/pkg:name'."""
    package, name = plugin.split(":")
    path = Path(jupyterlab.get_app_dir(), "schemas", package, f"{name}.json")
    assert path.exists(), f"{plugin} is not a JupyterLab plugin here ({path})"
    return json.loads(path.read_text(encoding="utf-8"))


def test_settings_are_json_that_name_real_settings():
    import jsonschema

    overrides = json.loads(SETTINGS.read_text(encoding="utf-8"))
    assert overrides[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}
    for plugin, values in overrides.items():
        properties = schema_of(plugin)["properties"]
        for key, value in values.items():
            assert key in properties, f"{plugin} has no setting {key!r}"
            jsonschema.validate(value, properties[key])


def test_make_lab_installs_them_where_jupyterlab_reads_them(tmp_path):
    make = shutil.which("make")
    if make is None:
        pytest.skip("needs make")
    venv = tmp_path / "venv"
    result = subprocess.run(
        [make, "-n", f"VENV={venv}", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert f"cp jupyterlab-settings.json {venv}/{INSTALLED}" in result.stdout
    app_settings = Path(jupyterlab.get_app_dir(), "settings")
    assert app_settings == Path(sys.prefix, INSTALLED).parent.parent


def free_port() -> int:
    """Return a TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_running_jupyterlab_applies_them(tmp_path):
    """Start JupyterLab on the loopback interface and ask its settings API."""
    app_settings = tmp_path / "app-settings"
    (app_settings / "overrides.d").mkdir(parents=True)
    shutil.copy(SETTINGS, app_settings / "overrides.d" / "denoising-course.json")
    port, token = free_port(), secrets.token_hex(16)
    home = {
        name: str(tmp_path / name.lower())
        for name in (
            "JUPYTER_CONFIG_DIR",
            "JUPYTER_DATA_DIR",
            "JUPYTER_RUNTIME_DIR",
            "JUPYTERLAB_SETTINGS_DIR",
            "JUPYTERLAB_WORKSPACES_DIR",
        )
    }  # nothing of the user's own Jupyter set-up
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}", f"--LabApp.app_settings_dir={app_settings}",
    ]  # fmt: skip
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    url = f"http://127.0.0.1:{port}/lab/api/settings/{NOTIFICATION}?token={token}"
    log = tmp_path / "jupyterlab.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            command, env={**os.environ, **home}, stdout=output, stderr=output
        )
    try:
        answer = None
        deadline = time.monotonic() + 90
        while answer is None and time.monotonic() < deadline:
            assert server.poll() is None, f"JupyterLab stopped: {log.read_text()}"
            try:
                # Straight to the local server, never through a proxy.
                direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                with direct.open(url, timeout=5) as response:
                    answer = json.load(response)
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert answer is not None, "JupyterLab did not answer within 90 s"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    defaults = {
        key: value.get("default")
        for key, value in answer["schema"]["properties"].items()
    }
    assert defaults["fetchNews"] == "false"
    assert defaults["checkForUpdates"] is False


def test_the_readmes_conda_commands_install_them(tmp_path):
    """The README's conda block, run as written, but for conda and jupyter."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("- **conda**", 1)[1].split("```bash", 1)[1].split("```")[0]
    commands = block.replace("\\\n", " ").splitlines()
    runnable = [c.strip() for c in commands if c.strip()]
    assert runnable[0].startswith("conda env create") and runnable[-1].startswith(
        "jupyter lab"
    )
    script = "\n".join(c for c in runnable if not c.startswith(("conda ", "jupyter ")))
    prefix = tmp_path / "env"  # a fresh environment: no settings folder yet
    prefix.mkdir()
    subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env={**os.environ, "CONDA_PREFIX": str(prefix)},
        check=True,
    )
    installed = prefix / INSTALLED
    assert json.loads(installed.read_text()) == json.loads(SETTINGS.read_text())
