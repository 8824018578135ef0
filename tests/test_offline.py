"""Without data and without network, the test run says once per data set what to do."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = "http://127.0.0.1:9"  # nothing listens there: every download fails at once
PROXIES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")


def test_no_data_means_one_message_per_data_set_and_no_cascade(tmp_path):
    """Like `make test` on a machine with neither data nor network (two notebooks)."""
    empty = tmp_path / "course-data"
    empty.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key.lower() != "no_proxy"
    }
    env.update(
        KERAS_HOME=str(tmp_path / "keras-home"),
        COURSE_DATA_DIR=str(empty),
        COURSE_ALLOW_MNIST_STANDIN="0",
        COURSE_SYSTEM_DATA_DIRS="",  # hide Debian's Fashion-MNIST folder
        **dict.fromkeys(PROXIES, NOWHERE),
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "notebooks/01_pixels_and_flattening.ipynb",
            "notebooks/04_strided_denoiser_fashion_mnist.ipynb",
            "tests/test_mode.py",  # needs no data: still runs and passes
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert len(re.findall(r"(?<!Fashion-)MNIST is not in the Keras cache", out)) == 1
    assert out.count("Fashion-MNIST is not in the Keras cache") == 1
    assert "Skipped: 01_pixels_and_flattening.ipynb" in out
    assert "Skipped: 04_strided_denoiser_fashion_mnist.ipynb" in out
    assert "NameError" not in out and "failed" not in out
    mode_tests = (ROOT / "tests" / "test_mode.py").read_text().count("\ndef test_")
    assert re.search(rf"\b{mode_tests} passed, \d+ skipped", out), out[-3000:]
