"""Execute a notebook in a fresh kernel that talks over local sockets, not TCP ports.

ZeroMQ's IPC transport (Unix domain sockets, in a temporary folder only this user
can enter) keeps the kernel off the machine's TCP ports, so ipykernel has no
reason to warn that it "is running over TCP without encryption". ZeroMQ has no
IPC transport on Windows: there the kernel keeps to TCP on localhost.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def kernel_config() -> Iterator[Any]:
    """Yield the traitlets config of a kernel on IPC sockets, removed afterwards."""
    from traitlets.config import Config

    if sys.platform == "win32":
        yield Config()
        return
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as folder:
        # The kernel's sockets are <ip>-<number>: an absolute path, since the
        # kernel runs in the notebook's folder and this process elsewhere.
        ip = str(Path(folder) / "kernel")
        yield Config({"KernelManager": {"transport": "ipc", "ip": ip}})


def execute(notebook: Any, timeout: int, cwd: Path) -> None:
    """Run every cell of ``notebook`` in a fresh ``python3`` kernel started in ``cwd``.

    The outputs go into ``notebook``; a failing cell raises nbclient's error.
    """
    from nbclient import NotebookClient

    with kernel_config() as config:
        NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            config=config,
        ).execute()
