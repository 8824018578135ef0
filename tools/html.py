"""Build readable HTML pages of the lessons: ``python -m tools.html [--mode full]``.

Each notebook is executed (quick mode by default) and written with its outputs
to ``build/html/NN_name.html``, with an ``index.html`` that links them in order.
For reading without running, and for sharing after a workshop.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import time
from pathlib import Path

from tools import lessons
from tools.kernels import execute

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
INLINE = "module://matplotlib_inline.backend_inline"

# nbconvert's lab template (7.17) writes no alt attribute on output images; the
# exporter then fills in "No description has been provided for this image". Only
# the classic template reads the description, from the output's metadata
# {"image/png": {"alt": ...}} (which helpers.plotting.show writes) or the cell's
# metadata "alt". This template is the lab one with that same lookup added.
ALT_TEMPLATE = "course_lab.html.j2"
ALT_TEMPLATE_SOURCE = """{%- extends 'index.html.j2' -%}
{% macro with_alt(html, output, cell, mime) -%}
{%- set alt = (output | get_metadata('alt', mime)) or (cell | get_metadata('alt')) -%}
{%- if alt and 'alt="' not in html -%}
{{ html | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- else -%}
{{ html }}
{%- endif -%}
{%- endmacro %}
{% block data_png scoped %}{{ with_alt(super(), output, cell, 'image/png') }}
{%- endblock %}
{% block data_jpg scoped %}{{ with_alt(super(), output, cell, 'image/jpeg') }}
{%- endblock %}
"""


def title_of(notebook) -> str:
    """Return the lesson title: the first heading of the first markdown cell."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled lesson"


def exporter():
    """Return nbconvert's lab-template HTML exporter, with the images' alt text."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=ALT_TEMPLATE,
        extra_loaders=[DictLoader({ALT_TEMPLATE: ALT_TEMPLATE_SOURCE})],
    )


def build_page(path: Path, out_dir: Path, mode: str, timeout: int = 1800) -> str:
    """Execute one notebook in the given mode and write its HTML page; return title."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    os.environ["COURSE_MODE"] = mode  # the kernel inherits this environment
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["MPLBACKEND"] = INLINE  # figures into the page, whatever the caller set
    execute(notebook, timeout, path.parent)
    body, _ = exporter().from_notebook_node(notebook)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{path.stem}.html").write_text(body, encoding="utf-8")
    return title_of(notebook)


def write_index(
    entries: list[tuple[str, str, float]], out_dir: Path, mode: str
) -> Path:
    """Write index.html linking the lesson pages in order."""
    items = "\n".join(
        f'  <li><a href="{html.escape(stem)}.html">{html.escape(title)}</a>'
        f" <small>({seconds:.0f} s to run)</small></li>"
        for stem, title, seconds in entries
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Convolutional autoencoders that remove image noise</title>
<style>body {{ font-family: sans-serif; max-width: 46em; margin: 3em auto; }}
li {{ margin: 0.6em 0; }}</style></head>
<body>
<h1>Convolutional autoencoders that remove image noise</h1>
<p>The lessons, in order, executed in <b>{mode}</b> mode.</p>
<ol>
{items}
</ol>
</body></html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    """Command line: execute the notebooks and write build/html."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks (default: all, in order)"
    )
    parser.add_argument("--mode", choices=("quick", "full"), default="quick")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "html")
    args = parser.parse_args(argv)

    paths = args.notebooks or lessons()
    entries = []
    for index, path in enumerate(paths, 1):
        print(f"[{index}/{len(paths)}] {path.name} ({args.mode} mode) ...", flush=True)
        start = time.perf_counter()
        title = build_page(path.resolve(), args.out, args.mode)
        seconds = time.perf_counter() - start
        print(f"    {seconds:.0f} s -> {args.out / (path.stem + '.html')}", flush=True)
        entries.append((path.stem, title, seconds))
    print(f"Index: {write_index(entries, args.out, args.mode)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
