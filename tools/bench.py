"""Run every notebook in full mode, one after another, and tabulate the results.

Usage: ``python -m tools.bench [NOTEBOOK ...] [--mode quick] [--out bench/latest.md]``
(``make bench`` runs them all). For each notebook it records wall seconds, the
kernel's peak memory and the ``key_figures`` the notebook reported. The notebooks
run on the real data sets: the MNIST stand-in is switched off in their kernels.

Beside every notebook it runs the speed probe of ``helpers.speed`` (before and
after), and reports each time also in reference seconds: the wall time divided by
how many times slower than the reference machine this machine measured. The
course's time targets are checked on those.

``--seeds 42 7`` runs each notebook once per seed (its ``SEED = ...`` line set to
each) and tabulates the headline comparisons with their mean and spread
(``make bench-seeds``, lesson 05 in full mode).

``--busy N`` runs N busy loops beside the notebooks (a slow, loaded laptop).
``--compare-busy`` runs each notebook twice, alone and beside twice as many busy
loops as cores, and checks that every key figure that is not a time agrees
(``make bench-busy``, in quick mode).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tools import lessons, prose_numbers
from tools.kernels import execute

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MARKER = "__KEY_FIGURES__"
SEED_VARIABLE = "COURSE_BENCH_SEED"  # set by --seeds for the child: SEED = that
SEED_LINE = re.compile(r"^SEED = \d+$", re.MULTILINE)
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

    from helpers.speed import probe_seconds

    probes = [probe_seconds()]
    notebook = nbformat.read(path, as_version=4)
    if os.environ.get(SEED_VARIABLE):
        set_seed(notebook, int(os.environ[SEED_VARIABLE]))
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
    probes.append(probe_seconds())
    return {
        "wall_s": wall,
        "peak_mib": _peak_children_mib(),
        "probe_s": probes,
        "slowdown": slowdown(sum(probes) / len(probes)),
        "figures": figures,
        "prose": prose,
        "error": error,
    }


def set_seed(notebook, seed: int) -> None:
    """Make the notebook's one ``SEED = ...`` line set ``seed`` instead."""
    cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and SEED_LINE.search(cell.source)
    ]
    if len(cells) != 1:
        raise ValueError(
            f"expected one code cell with a line 'SEED = <number>', found {len(cells)}"
        )
    cells[0].source = SEED_LINE.sub(f"SEED = {seed}", cells[0].source, count=1)


def slowdown(probe_s: float) -> float:
    """Return how many times slower than the reference machine a probe time is."""
    from helpers.speed import slowdown as measured

    return measured(probe_s)


def reference_s(row: dict) -> float:
    """Return a notebook's wall time in reference seconds (wall / slowdown)."""
    return row["wall_s"] / row.get("slowdown", float("nan"))


def _child(
    path: Path, mode: str, timeout: int, executed: Path | None, seed: int | None = None
) -> dict:
    """Run one notebook in a child process so that its peak memory is its own."""
    env = dict(
        os.environ,
        **({SEED_VARIABLE: str(seed)} if seed is not None else {}),
        COURSE_MODE=mode,
        TF_CPP_MIN_LOG_LEVEL="2",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        COURSE_ALLOW_MNIST_STANDIN="0",  # benchmarks run on the real data only
        # a lesson's time includes its exercises: the solutions run, as in a class
        COURSE_SOLUTIONS=os.environ.get("COURSE_SOLUTIONS", "1"),
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
        "probe_s": [],
        "slowdown": float("nan"),
        "figures": {},
        "prose": [],
        "error": (result.stderr.strip().splitlines() or ["no result"])[-1][:200],
    }


def format_table(rows: list[tuple[str, dict]], mode: str, busy: int = 0) -> str:
    """Return the results as a Markdown table with a header naming the machine."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Benchmark ({mode} mode)",
        "",
        f"- When: {now}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
        + (f", beside {busy} busy loops" if busy else ""),
        "",
        "Slowdown: the speed probe (helpers.speed) before and after each notebook, "
        "against the reference machine's; reference seconds = wall / slowdown.",
        "",
        "| notebook | wall (s) | slowdown (x) | reference (s) | peak memory (MiB) "
        "| key figures |",
        "|---|---:|---:|---:|---:|---|",
    ]
    total = total_reference = 0.0
    for name, row in rows:
        figures = "; ".join(
            f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}"
            for k, v in row["figures"].items()
        )
        if row["error"]:
            figures = f"FAILED ({row['error']}) {figures}"
        total += row["wall_s"]
        total_reference += reference_s(row)
        lines.append(
            f"| {name} | {row['wall_s']:.0f} | {row.get('slowdown', math.nan):.2f} "
            f"| {reference_s(row):.0f} | {row['peak_mib']:.0f} | {figures} |"
        )
    lines.append(f"| **all** | **{total:.0f}** | | **{total_reference:.0f}** | | |")
    lines += ["", *format_targets(rows), "", *format_prose(rows)]
    return "\n".join(lines) + "\n"


# The course's targets (issue "Same results on every machine"): what each needs,
# from the key figures, in reference seconds. A lesson's limit applies in full mode.
LESSON_LIMIT_S = 240


def _figure(rows: list[tuple[str, dict]], lesson: str, key: str) -> float | None:
    """Return one key figure of the lesson whose name starts with ``lesson``."""
    for name, row in rows:
        value = row["figures"].get(key) if name.startswith(lesson) else None
        if isinstance(value, int | float):
            return float(value)
    return None


def check_targets(rows: list[tuple[str, dict]]) -> list[tuple[str, str, bool]]:
    """Return (target, measured, met) for each target this run can judge."""
    checks = []
    for name, row in rows:
        seconds = reference_s(row)
        if not math.isnan(seconds):
            checks.append(
                (
                    f"{name} runs in at most {LESSON_LIMIT_S} reference seconds",
                    f"{seconds:.0f} s",
                    seconds <= LESSON_LIMIT_S,
                )
            )
    best = _figure(rows, "05", "U-Net PSNR (dB)")
    if best is not None:
        cost = _figure(rows, "05", "training cost per network (reference s)") or 0
        checks.append(
            (
                "best Fashion-MNIST network >= 21.0 dB on the test set, "
                "<= 150 reference seconds of training",
                f"{best:.2f} dB ({best - 21.0:+.2f} dB) after {cost:.0f} s",
                best >= 21.0 and cost <= 150,
            )
        )
    net = _figure(rows, "06", "photo 25/255, photo network (dB)")
    bm3d = _figure(rows, "06", "photo 25/255, BM3D (dB)")
    if net is not None and bm3d is not None:
        cost = _figure(rows, "06", "training cost per network (reference s)") or 0
        behind = bm3d - net
        checks.append(
            (
                "photo network at most 0.3 dB behind BM3D at 25/255, "
                "<= 90 reference seconds of training",
                f"{behind:.2f} dB behind after {cost:.0f} s",
                behind <= 0.3 and cost <= 90,
            )
        )
    return checks


def format_targets(rows: list[tuple[str, dict]]) -> list[str]:
    """Return the target check as Markdown: target, measured, met or missed by."""
    lines = ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    for target, measured, met in check_targets(rows):
        lines.append(f"| {target} | {measured} | {'met' if met else '**missed**'} |")
    return lines


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
    parser.add_argument(
        "--busy",
        type=int,
        default=0,
        metavar="N",
        help="run N busy loops beside the notebooks (a loaded, slower machine)",
    )
    parser.add_argument(
        "--compare-busy",
        action="store_true",
        help="run each notebook alone, then beside 2 x cores busy loops; compare",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        metavar="SEED",
        help="run each notebook once per seed; tabulate the headline comparisons",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(MARKER + json.dumps(run_one(args.child, args.timeout, args.executed)))
        return 0

    paths = args.notebooks or lessons()
    if args.compare_busy:
        return compare_busy(paths, args)
    if args.seeds:
        return compare_seeds(paths, args)
    with busy_loops(args.busy):
        rows = run_all(paths, args.mode, args.timeout, args.executed)
    table = format_table(rows, args.mode, args.busy)
    details = {name: row for name, row in rows}  # for tools.prose_numbers update
    write_report(args.out, table, details)
    return exit_status(rows, args.mode)


def exit_status(rows: list[tuple[str, dict]], mode: str = "full") -> int:
    """1 when a notebook failed or (full mode) a number its prose quotes drifted."""
    drifted = [
        name
        for name, row in rows
        for claim in row.get("prose", [])
        if claim["status"] != "ok" and mode == "full"  # the prose quotes full mode
    ]
    if drifted:
        print(
            f"Prose drift in {', '.join(sorted(set(drifted)))}: update the numbers "
            "(python -m tools.prose_numbers) or the code, see the report"
        )
    return 1 if drifted or any(row["error"] for _, row in rows) else 0


def write_report(out: Path, text: str, runs: dict) -> None:
    """Write the Markdown report and its runs as JSON beside it; print the report."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(
        json.dumps(runs, indent=1, default=str), encoding="utf-8"
    )
    print()
    print(text)
    print(f"Written to {out}")


def run_all(
    paths: list[Path],
    mode: str,
    timeout: int,
    executed: Path | None,
    seed: int | None = None,
) -> list[tuple[str, dict]]:
    """Run the notebooks one after another; print a line for each; return the rows."""
    rows = []
    for index, path in enumerate(paths, 1):
        seeded = "" if seed is None else f", SEED = {seed}"
        print(
            f"[{index}/{len(paths)}] {path.name} ({mode} mode{seeded}) ...", flush=True
        )
        row = _child(path.resolve(), mode, timeout, executed, seed)
        status = "FAILED: " + row["error"] if row["error"] else "ok"
        drift = [c for c in row.get("prose", []) if c["status"] != "ok"]
        if drift:
            status += f", {len(drift)} prose number(s) off"
        print(
            f"    {row['wall_s']:.0f} s ({reference_s(row):.0f} reference s, "
            f"slowdown {row['slowdown']:.2f}x), peak {row['peak_mib']:.0f} MiB, "
            f"{status}",
            flush=True,
        )
        rows.append((path.stem, row))
    return rows


@contextmanager
def busy_loops(count: int) -> Iterator[None]:
    """Run ``count`` processes that spin on a CPU core until the block ends."""
    loops = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


# Key figures that are times may differ on a loaded machine; all others may not.
TIME_WORDS = ("(s)", "(ms)", "seconds", "time", "redraw")


def is_time(key: str) -> bool:
    """Return True for a key figure that measures time."""
    return any(word in key.lower() for word in TIME_WORDS)


def agree(key: str, alone: object, loaded: object) -> bool:
    """Return True when two runs' values of a key figure agree (dB: 0.15, else 1 %)."""
    if not isinstance(alone, int | float) or not isinstance(loaded, int | float):
        return alone == loaded
    if "(dB)" in key:
        return abs(alone - loaded) <= 0.15
    return abs(alone - loaded) <= 0.01 * max(abs(alone), abs(loaded))


def largest_db_difference(alone: dict, loaded: dict) -> float:
    """Return the largest difference between the two runs' figures in dB."""
    return max(
        (
            abs(alone[key] - loaded[key])
            for key in alone
            if "(dB)" in key
            and isinstance(alone[key], int | float)
            and isinstance(loaded.get(key), int | float)
        ),
        default=0.0,
    )


def compare_figures(alone: dict, loaded: dict) -> list[tuple[str, object, object]]:
    """Return the key figures, times aside, on which the two runs disagree."""
    keys = [key for key in {**alone, **loaded} if not is_time(key)]
    return [
        (key, alone.get(key), loaded.get(key))
        for key in keys
        if not agree(key, alone.get(key), loaded.get(key))
    ]


def compare_busy(paths: list[Path], args: argparse.Namespace) -> int:
    """Run each notebook alone and beside busy loops; write and print the comparison."""
    count = 2 * (os.cpu_count() or 1)
    lines = [
        f"# The same results on a loaded machine ({args.mode} mode)",
        "",
        f"- When: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU cores; the loaded run "
        f"beside {count} busy loops",
        "- Rule: every key figure that is not a time agrees within 0.15 dB, or "
        "within 1 % for other figures",
        "",
        "| notebook | alone (s) | loaded (s) | slowdown alone / loaded (x) "
        "| figures compared | largest dB difference | disagree |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    failed = False
    runs = {}
    for path in paths:
        ((_, alone),) = run_all([path], args.mode, args.timeout, None)
        with busy_loops(count):
            ((_, loaded),) = run_all([path], args.mode, args.timeout, None)
        runs[path.stem] = {"alone": alone, "loaded": loaded}
        differ = compare_figures(alone["figures"], loaded["figures"])
        largest = largest_db_difference(alone["figures"], loaded["figures"])
        compared = [key for key in alone["figures"] if not is_time(key)]
        errors = [row["error"] for row in (alone, loaded) if row["error"]]
        failed = failed or bool(differ or errors or not compared)
        shown = "; ".join(f"{key}: {a} against {b}" for key, a, b in differ)
        if errors:
            shown = "FAILED: " + "; ".join(errors) + (f"; {shown}" if shown else "")
        lines.append(
            f"| {path.stem} | {alone['wall_s']:.0f} | {loaded['wall_s']:.0f} "
            f"| {alone['slowdown']:.2f} / {loaded['slowdown']:.2f} "
            f"| {len(compared)} | {largest:.3f} | {shown or 'none'} |"
        )
    write_report(args.out, "\n".join(lines) + "\n", runs)
    return 1 if failed else 0


# The comparisons a lesson's conclusions rest on, from the key figures: (figure,
# minus figure), or (figure,) for one that is already a difference. Lesson 05's
# networks against each other and against the filters; lesson 06's photo network
# against BM3D on the photographs. "{level}" is the course's noise level.
HEADLINES = {
    "wider over lesson 04 model (dB)": (
        "wider model PSNR (dB)",
        "lesson 04 model PSNR (dB)",
    ),
    "U-Net over wider (dB)": ("U-Net PSNR (dB)", "wider model PSNR (dB)"),
    # gains the lesson computes on one set of images (its first 1,000 test images)
    "U-Net over best filter (dB)": ("U-Net gain over best filter, first 1,000 (dB)",),
    "U-Net over best filter with bias map (dB)": (
        "U-Net gain over it with bias map, first 1,000 (dB)",
    ),
    "photo network over BM3D, 25/255 (dB)": (
        "photo 25/255, photo network (dB)",
        "photo 25/255, BM3D (dB)",
    ),
    "photo network over BM3D, {level} (dB)": (
        "photo {level}, photo network (dB)",
        "photo {level}, BM3D (dB)",
    ),
    "photo network over BM3D + bias map, {level} (dB)": (
        "photo {level}, photo network (dB)",
        "photo {level}, BM3D + bias map (dB)",
    ),
}


def headlines(figures: dict) -> dict[str, float]:
    """Return the headline comparisons that a run's key figures allow."""
    from helpers.weights import course_noise_factor  # lesson 03's NOISE_FACTOR

    level = f"{course_noise_factor():g}"
    found = {}
    for template, keys in HEADLINES.items():
        name = template.format(level=level)
        values = [figures.get(key.format(level=level)) for key in keys]
        if all(isinstance(v, int | float) for v in values):
            found[name] = float(values[0]) - sum(float(v) for v in values[1:])
    return found


def format_seeds(runs: dict[int, dict], name: str) -> list[str]:
    """Return one notebook's headline comparisons per seed, with mean and spread."""
    seeds = list(runs)
    values = {seed: headlines(row["figures"]) for seed, row in runs.items()}
    first = next(iter(values.values()), {})  # in HEADLINES' order
    names = [key for key in first if all(key in v for v in values.values())]
    lines = [
        f"### {name}",
        "",
        "| comparison | "
        + " | ".join(f"seed {seed}" for seed in seeds)
        + " | mean | spread (±) |",
        "|---|" + "---:|" * (len(seeds) + 2),
    ]
    for key in names:
        numbers = [values[seed][key] for seed in seeds]
        mean = sum(numbers) / len(numbers)
        spread = (max(numbers) - min(numbers)) / 2
        cells = " | ".join(f"{n:+.2f}" for n in numbers)
        lines.append(f"| {key} | {cells} | {mean:+.2f} | {spread:.2f} |")
    errors = [f"seed {s}: {row['error']}" for s, row in runs.items() if row["error"]]
    return lines + ([""] + [f"FAILED: {e}" for e in errors] if errors else [])


def compare_seeds(paths: list[Path], args: argparse.Namespace) -> int:
    """Run each notebook once per seed; write the headline comparisons per seed."""
    lines = [
        f"# Headline comparisons over seeds ({args.mode} mode)",
        "",
        f"- When: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Seeds: {', '.join(str(seed) for seed in args.seeds)} (the notebook's "
        "`SEED = ...` line; the test images and their noise stay the same)",
        "- Spread: half the range over the seeds",
        "",
    ]
    runs: dict[str, dict[int, dict]] = {}
    for path in paths:
        for seed in args.seeds:
            ((_, row),) = run_all([path], args.mode, args.timeout, None, seed)
            runs.setdefault(path.stem, {})[seed] = row
        lines += [*format_seeds(runs[path.stem], path.stem), ""]
    write_report(args.out, "\n".join(lines), runs)
    failed = any(row["error"] for seeds in runs.values() for row in seeds.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
