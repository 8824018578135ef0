"""The stderr filter drops TensorFlow's three known notices and nothing else."""

import subprocess
import sys
from pathlib import Path

from helpers.notices import is_known_notice

ROOT = Path(__file__).resolve().parents[1]

ABSL = (
    b"WARNING: All log messages before absl::InitializeLog() is called are written"
    b" to STDERR"
)
ONEDNN = (
    b"I0000 00:00:1796158365.119295   20621 port.cc:153] oneDNN custom operations are"
    b" on. You may see slightly different numerical results due to floating-point"
    b" round-off errors from different computation orders."
)
INT32 = (
    b"E0000 00:00:1796152403.006899   32322 util.cc:131] oneDNN supports DT_INT32 only"
    b" on platforms with AVX-512. Falling back to the default Eigen-based"
    b" implementation if present."
)


def test_the_known_notices_are_recognised():
    assert all(is_known_notice(line) for line in (ABSL, ONEDNN, INT32))


def test_other_lines_are_not():
    others = [
        b"E0000 00:00:1796152403.006899   32322 util.cc:131] out of memory",
        b"WARNING: something else happened",
        b"Traceback (most recent call last):",
        b"",
    ]
    assert not any(is_known_notice(line) for line in others)


def test_filter_passes_everything_else_through():
    script = (
        "import os, sys\n"
        "from helpers.notices import hide_tensorflow_notices\n"
        "hide_tensorflow_notices()\n"
        f"os.write(2, {ABSL!r} + b'\\n' + {ONEDNN!r} + b'\\n')\n"
        "os.write(2, b'a real error\\n')\n"
        f"os.write(2, {INT32!r} + b'\\n')\n"
        "print('python stderr', file=sys.stderr, flush=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [b"a real error", b"python stderr"]
