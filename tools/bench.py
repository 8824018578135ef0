"""Run every notebook in full mode, one after another, and tabulate the results.

Usage: ``python -m tools.bench [NOTEBOOK ...] [--mode quick] [--out bench/latest.md]``
(``make bench`` runs them all). For each notebook it records wall seconds, the
kernel's peak memory and the ``key_figures`` the notebook reported. The notebooks
run on the real data sets: the MNIST stand-in is switched off in their kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from tools import prose_numbers
from tools.kernels import execute

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MARKER = "__KEY_FIGURES__"
READ_FIGURES = f"""
import json as _json
print({MARKER!r} + _json.dumps(globals().get("key_figures", {{}}), default=str))
"""


def _peak_children_mib() -> float:
    """Return the peak resident memory of this process's finished children in MiB."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_one(path: Path, timeout: int, executed: Path | None = None) -> dict:
    """Execute one notebook in a fresh kernel and return time, memory and figures."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    claims = prose_numbers.instrument(notebook)
    notebook.cells.append(nbformat.v4.new_code_cell(READ_FIGURES))
    start = time.perf_counter()
    error = ""
    try:
        execute(notebook, timeout, path.parent)
    except Exception as exc:  # report the failure in the table, keep benching
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
    wall = time.perf_counter() - start
    figures: dict = {}
    for output in notebook.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if MARKER in text:
            figures = json.loads(text.split(MARKER, 1)[1])
    prose = prose_numbers.collect(notebook, claims)  # also removes the added cells
    if executed is not None:  # keep the outputs for reading the run afterwards
        executed.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, executed / path.name)
    return {
        "wall_s": wall,
        "peak_mib": _peak_children_mib(),
        "figures": figures,
        "prose": prose,
        "error": error,
    }


def _child(path: Path, mode: str, timeout: int, executed: Path | None) -> dict:
    """Run one notebook in a child process so that its peak memory is its own."""
    env = dict(
        os.environ,
        COURSE_MODE=mode,
        TF_CPP_MIN_LOG_LEVEL="2",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        COURSE_ALLOW_MNIST_STANDIN="0",  # benchmarks run on the real data only
    )
    if env.get("COURSE_DATA_DIR"):  # the kernels run in notebooks/, not here
        env["COURSE_DATA_DIR"] = str(Path(env["COURSE_DATA_DIR"]).resolve())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.bench",
            "--child",
            str(path),
            "--timeout",
            str(timeout),
            *(["--executed", str(executed)] if executed else []),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    for line in result.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    return {
        "wall_s": float("nan"),
        "peak_mib": float("nan"),
        "figures": {},
        "prose": [],
        "error": (result.stderr.strip().splitlines() or ["no result"])[-1][:200],
    }


def format_table(rows: list[tuple[str, dict]], mode: str) -> str:
    """Return the results as a Markdown table with a header naming the machine."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Benchmark ({mode} mode)",
        "",
        f"- When: {now}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "",
        "| notebook | wall (s) | peak memory (MiB) | key figures |",
        "|---|---:|---:|---|",
    ]
    total = 0.0
    for name, row in rows:
        figures = "; ".join(
            f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}"
            for k, v in row["figures"].items()
        )
        if row["error"]:
            figures = f"FAILED ({row['error']}) {figures}"
        total += row["wall_s"]
        lines.append(
            f"| {name} | {row['wall_s']:.0f} | {row['peak_mib']:.0f} | {figures} |"
        )
    lines.append(f"| **all** | **{total:.0f}** | | |")
    lines += ["", *format_prose(rows)]
    return "\n".join(lines) + "\n"


def format_prose(rows: list[tuple[str, dict]]) -> list[str]:
    """Return the prose-number check as Markdown: a summary line, then any drift."""
    checked = [(name, claim) for name, row in rows for claim in row.get("prose", [])]
    off = [(name, claim) for name, claim in checked if claim["status"] != "ok"]
    lines = [
        "## Numbers the prose quotes from the reference run",
        "",
        f"{len(checked)} checked against this run, {len(checked) - len(off)} within "
        f"tolerance, {len(off)} not.",
    ]
    if off:
        lines += [
            "",
            "| notebook | prose | this run | allowed | what | status |",
            "|---|---:|---:|---:|---|---|",
        ]
        for name, claim in off:
            measured = claim["measured"]
            shown = "-" if measured is None else f"{measured:.4g}"
            lines.append(
                f"| {name} | {claim['prose']} | {shown} | ±{claim['allowed']:.3g} "
                f"| `{claim['expression']}` | {claim['status']} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to run (default: all, in order)",
    )
    parser.add_argument("--mode", choices=("full", "quick"), default="full")
    parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds allowed per cell"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "latest.md")
    parser.add_argument(
        "--executed", type=Path, help="also save the executed notebooks in this folder"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(MARKER + json.dumps(run_one(args.child, args.timeout, args.executed)))
        return 0

    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    rows = []
    for index, path in enumerate(paths, 1):
        print(f"[{index}/{len(paths)}] {path.name} ({args.mode} mode) ...", flush=True)
        row = _child(path.resolve(), args.mode, args.timeout, args.executed)
        status = "FAILED: " + row["error"] if row["error"] else "ok"
        drift = [c for c in row.get("prose", []) if c["status"] != "ok"]
        if drift:
            status += f", {len(drift)} prose number(s) off"
        print(
            f"    {row['wall_s']:.0f} s, peak {row['peak_mib']:.0f} MiB, {status}",
            flush=True,
        )
        rows.append((path.stem, row))
    table = format_table(rows, args.mode)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    details = {name: row for name, row in rows}  # for tools.prose_numbers update
    args.out.with_suffix(".json").write_text(
        json.dumps(details, indent=1, default=str), encoding="utf-8"
    )
    print()
    print(table)
    print(f"Written to {args.out}")
    return 1 if any(row["error"] for _, row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
