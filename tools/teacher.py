"""The teacher's notebooks: every lesson with its solutions in place, for the projector.

``make teacher`` (``python -m tools.teacher``) writes ``build/teacher/NN_*.ipynb``.
Each folded solution cell comes unfolded and without its ``if solutions_on():``
guard, so that "Run All" shows every answer, and its check says "correct". They
are generated from the lessons, the one source: edit the lesson, never the copy.
"""

from __future__ import annotations

import argparse
import copy
import textwrap
from pathlib import Path
from typing import Any

from tools import ROOT, lessons

GUARD = "if solutions_on():"
OUT = ROOT / "build" / "teacher"


def is_solution(cell: Any) -> bool:
    """Return True for a lesson's folded solution cell."""
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def unguarded(source: str) -> str:
    """Return a solution cell's code without its guard, dedented: it always runs."""
    title, guard, body = source.split("\n", 2)
    if guard.strip() != GUARD:
        raise ValueError(f"a solution cell's second line must be {GUARD!r}: {title}")
    title = title.replace(" (runs only with COURSE_SOLUTIONS=1)", "")
    return title + "\n" + textwrap.dedent(body)


def teacher_notebook(notebook: Any) -> Any:
    """Return a copy of ``notebook`` with every solution unfolded and unguarded."""
    teacher = copy.deepcopy(notebook)
    for cell in teacher.cells:
        if is_solution(cell):
            cell.source = unguarded(cell.source)
            cell.metadata.pop("jupyter", None)  # unfolded: source and outputs shown
    return teacher


def main(argv: list[str] | None = None) -> int:
    """Write the teacher's notebooks; say where."""
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in lessons():
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(teacher_notebook(notebook), args.out / path.name)
    print(f"wrote {len(lessons())} teacher's notebooks in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
