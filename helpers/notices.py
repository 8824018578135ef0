"""Hide the three notices TensorFlow's C++ core prints on this CPU, nothing else.

TensorFlow writes them straight to the process's standard error (file descriptor 2),
where no Python logging setting and no environment variable reaches them:

- absl's ``WARNING: All log messages before absl::InitializeLog() is called ...``;
- ``I0000 ... port.cc] oneDNN custom operations are on. ...`` (an information);
- ``E0000 ... util.cc] oneDNN supports DT_INT32 only on platforms with AVX-512.
  Falling back to the default Eigen-based implementation ...`` (labelled an error,
  but only a note that one operation takes the ordinary code path).

:func:`hide_tensorflow_notices` puts a filter on file descriptor 2 that drops
exactly those lines and passes every other line through unchanged, so a real error
still shows. Call it before ``import tensorflow`` or ``import keras``.
"""

from __future__ import annotations

import atexit
import os
import re
import threading

KNOWN_NOTICES = (
    re.compile(
        rb"^WARNING: All log messages before absl::InitializeLog\(\) is called"
        rb" are written to STDERR\s*$"
    ),
    re.compile(
        rb"^I\d{4} [\d:. ]+\d+ port\.cc:\d+\] oneDNN custom operations are on\."
    ),
    re.compile(
        rb"^E\d{4} [\d:. ]+\d+ util\.cc:\d+\] oneDNN supports DT_INT32 only on"
        rb" platforms with AVX-512\. Falling back to the default Eigen-based"
    ),
)

_installed = False


def is_known_notice(line: bytes) -> bool:
    """Return True if ``line`` is one of TensorFlow's known harmless notices."""
    return any(pattern.match(line) for pattern in KNOWN_NOTICES)


def hide_tensorflow_notices() -> None:
    """Drop TensorFlow's known start-up notices from standard error; keep the rest."""
    global _installed
    if _installed:
        return
    original = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    forwarder = threading.Thread(
        target=_forward, args=(read_end, original), name="notice-filter", daemon=True
    )
    forwarder.start()
    atexit.register(_stop, original, forwarder)
    _installed = True


def _stop(original: int, forwarder: threading.Thread) -> None:
    """Put the real standard error back and let the filter pass on its last lines."""
    os.dup2(original, 2)  # closes the pipe's last write end, so the reader sees EOF
    forwarder.join(timeout=2)


def _forward(read_end: int, original: int) -> None:
    """Copy lines from the pipe to the real standard error, skipping known notices."""
    pending = b""
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if not is_known_notice(line):
                os.write(original, line + b"\n")
        if pending and not pending.startswith((b"WARNING: All", b"I0", b"E0")):
            os.write(original, pending)  # a partial line (a progress bar): pass it on
            pending = b""
    if pending:
        os.write(original, pending)
