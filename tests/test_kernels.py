"""The maintainer commands run notebooks on kernels that listen on local sockets."""

import sys
from pathlib import Path

import nbformat
import pytest

from tools.kernels import execute

ASK_KERNEL = """
import os
from ipykernel.kernelapp import IPKernelApp
app = IPKernelApp.instance()
print(app.transport, app.ip, os.getcwd())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="ZeroMQ has no IPC on Windows")
def test_the_kernel_runs_on_ipc_sockets_in_the_notebooks_folder(tmp_path, capfd):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(ASK_KERNEL)]
    execute(notebook, timeout=60, cwd=tmp_path)
    transport, ip, cwd = notebook.cells[0].outputs[0]["text"].split()
    assert transport == "ipc"
    assert Path(ip).is_absolute() and not Path(ip).parent.exists()  # removed after
    assert Path(cwd) == tmp_path
    assert "TCP without encryption" not in capfd.readouterr().err
