"""The benchmark runs a notebook in a fresh kernel and collects its key figures."""

import nbformat

from tools import bench


def test_bench_collects_key_figures_time_and_memory(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import os\nmode = os.environ['COURSE_MODE']"),
        nbformat.v4.new_code_cell("key_figures = {'PSNR (dB)': 18.5, 'mode': mode}"),
    ]
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "bench.md"

    assert bench.main([str(path), "--mode", "quick", "--out", str(out)]) == 0
    table = out.read_text()
    assert "| 99_tiny |" in table and "PSNR (dB): 18.5; mode: quick" in table
    assert "CPU cores" in table  # the machine is named


def test_a_failing_notebook_is_reported_not_hidden(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("assert 1 == 2, 'checkpoint broke'")]
    path = tmp_path / "98_broken.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "bench.md"

    assert bench.main([str(path), "--mode", "quick", "--out", str(out)]) == 1
    assert "FAILED" in out.read_text()
