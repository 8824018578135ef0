"""Check the numbers the lessons' prose quotes from the reference run.

A markdown cell that quotes a number measured in the course's reference run says so
in a comment that the rendered page hides, on one line so that it does not lengthen
the cell (lines, one claim each, work too)::

    <!-- reference run: 18.91 = quality["denoised"]["psnr"]; 27 ±50% = seconds -->

Each claim is ``NUMBER [± TOLERANCE[%]] = EXPRESSION``. ``NUMBER`` is written in the
cell's prose exactly as shown; ``EXPRESSION`` is Python that the notebook can
evaluate where the cell stands, or after the first code cell below it that
defines its names. Without a tolerance
a number may differ by half a unit in its last digit, or 1 %, whichever is larger.
Every decimal number in a cell that mentions the reference run needs such a line.

A claim of order ("sandals came last") is checked as an order, not as the numbers
behind it: ``order: EXPRESSION``, where ``EXPRESSION`` must be true::

    <!-- reference run: order: min(psnr_by_class, key=psnr_by_class.get) == "Sandal" -->

An update never rewrites an order claim: one that fails needs a person to rewrite
the sentence.

``instrument`` adds the evaluating cells to a notebook before the benchmark runs it;
``collect`` reads the values back, removes those cells again and compares.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

COMMENT = re.compile(r"<!--\s*reference run\s*[:\n](.*?)-->", re.DOTALL)
START = r"(?:^|(?<=[:;])\s*)"  # where a claim starts: a line, or after ":" or ";"
LINE = re.compile(
    r"^(?P<number>[-+]?[\d,]*\.?\d+)\s*"
    r"(?:±\s*(?P<tolerance>[\d.]+)\s*(?P<percent>%)?)?\s*=\s*(?P<expression>.+)$"
)
ORDER = re.compile(r"^order\s*:\s*(?P<expression>.+)$")
DECIMAL = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.]\d)")
MARKER = "__PROSE_NUMBERS__"
TAG = "prose-numbers-check"


@dataclass(frozen=True)
class Claim:
    """One number the prose quotes from the reference run, and how to measure it."""

    cell: int
    number: str
    expression: str
    tolerance: float | None = None
    percent: bool = False
    order: bool = False  # a claim of order: EXPRESSION must be true

    @property
    def value(self) -> float:
        """The number as the prose states it (1, for true, for a claim of order)."""
        return 1.0 if self.order else float(self.number.replace(",", ""))

    def allowed(self) -> float:
        """How far the measured value may lie from the quoted one."""
        if self.order:
            return 0.0
        if self.tolerance is not None:
            return (
                abs(self.value) * self.tolerance / 100
                if self.percent
                else self.tolerance
            )
        decimals = len(self.number.split(".")[1]) if "." in self.number else 0
        return max(0.5 * 10**-decimals, 0.01 * abs(self.value))


def prose(source: str) -> str:
    """Return a markdown cell's text without its reference-run comments."""
    return COMMENT.sub("", source)


def claims(notebook: Any) -> list[Claim]:
    """Return every reference-run claim in a notebook's markdown cells, in order."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for block in COMMENT.findall(cell.source):
            for raw in re.split(r"[;\n]", block.strip()):
                if not raw.strip():
                    continue
                order = ORDER.match(raw.strip())
                if order is not None:
                    found.append(
                        Claim(
                            cell=index,
                            number="order",
                            expression=order["expression"].strip(),
                            order=True,
                        )
                    )
                    continue
                match = LINE.match(raw.strip())
                if match is None:
                    raise ValueError(
                        f"cell {index}: cannot read {raw.strip()!r} in a reference-run "
                        "comment; write NUMBER [± TOLERANCE[%]] = EXPRESSION, or "
                        "order: EXPRESSION"
                    )
                tolerance = match["tolerance"]
                found.append(
                    Claim(
                        cell=index,
                        number=match["number"],
                        expression=match["expression"].strip(),
                        tolerance=float(tolerance) if tolerance else None,
                        percent=bool(match["percent"]),
                    )
                )
    return found


def problems(notebook: Any) -> list[str]:
    """Return what is wrong with a notebook's claims without running it."""
    found = []
    for claim in claims(notebook):
        text = prose(notebook.cells[claim.cell].source)
        if claim.order:
            pass
        elif not re.search(rf"(?<![\d.]){re.escape(claim.number)}(?![\d])", text):
            found.append(
                f"cell {claim.cell}: {claim.number} is not in the cell's prose"
            )
        try:
            ast.parse(claim.expression, mode="eval")
        except SyntaxError as exc:
            found.append(
                f"cell {claim.cell}: {claim.expression!r} is not Python: {exc}"
            )
    claimed: dict[int, set[float]] = {}
    for claim in claims(notebook):
        if claim.order:
            continue
        claimed.setdefault(claim.cell, set()).add(claim.value)
    for index, cell in enumerate(notebook.cells):
        text = prose(cell.source)
        if cell.cell_type != "markdown" or "reference run" not in text:
            continue
        for number in DECIMAL.findall(text):
            if float(number) not in claimed.get(index, set()):
                found.append(
                    f"cell {index}: {number} stands beside 'reference run', but no "
                    "<!-- reference run: ... --> claim says what it measured"
                )
    return found


def _evaluate_source(claims_here: list[tuple[int, Claim]], final: bool) -> str:
    """Code that evaluates the claims not yet measured and prints all values so far."""
    pairs = [(number, claim.expression) for number, claim in claims_here]
    source = (
        "_prose_values = globals().setdefault('_prose_values', {})\n"
        f"for _number, _expression in {pairs!r}:\n"
        "    if _number not in _prose_values:\n"
        "        try:\n"
        "            _prose_values[_number] = float(eval(_expression))\n"
        "        except Exception:\n"
        "            pass\n"
    )
    if final or pairs:  # print every time, so that a run that fails still reports
        source += (
            f"import json as _json\nprint({MARKER!r} + _json.dumps(_prose_values))\n"
        )
    return source


def instrument(notebook: Any) -> list[Claim]:
    """Add the evaluating cells to ``notebook`` (in place) and return its claims.

    A claim is measured right after its cell; if its names do not exist yet there,
    after each following code cell until they do: the first value wins.
    """
    import nbformat

    found = claims(notebook)
    numbered = list(enumerate(found))
    cells = []
    for index, cell in enumerate(notebook.cells):
        cells.append(cell)
        so_far = [(n, c) for n, c in numbered if c.cell <= index]
        if so_far and (cell.cell_type == "code" or so_far[-1][1].cell == index):
            source = _evaluate_source(so_far, final=False)
            cells.append(_tagged(nbformat.v4.new_code_cell(source)))
    cells.append(_tagged(nbformat.v4.new_code_cell(_evaluate_source(numbered, True))))
    notebook.cells = cells
    return found


def _tagged(cell: Any) -> Any:
    """Mark a cell as added by the check, so that ``collect`` can remove it."""
    cell.metadata["tags"] = [TAG]
    return cell


def collect(notebook: Any, found: list[Claim]) -> list[dict]:
    """Read the measured values back, remove the added cells, compare each claim."""
    values: dict[str, float] = {}
    for cell in notebook.cells:  # the last values printed are the most complete
        if TAG in cell.metadata.get("tags", []):
            for output in cell.get("outputs", []):
                text = output.get("text", "")
                if MARKER in text:
                    values = json.loads(text.split(MARKER, 1)[1].splitlines()[0])
    notebook.cells = [
        c for c in notebook.cells if TAG not in c.metadata.get("tags", [])
    ]
    rows = []
    for number, claim in enumerate(found):
        measured = values.get(str(number))
        if measured is None:
            status = "not measured"
        elif abs(measured - claim.value) <= claim.allowed():
            status = "ok"
        else:
            status = "drift"
        rows.append(
            {
                "cell": claim.cell,
                "prose": claim.number,
                "expression": claim.expression,
                "measured": measured,
                "allowed": claim.allowed(),
                "status": status,
            }
        )
    return rows


def restate(number: str, value: float) -> str:
    """Write ``value`` the way ``number`` is written: same decimals, same commas."""
    decimals = len(number.split(".")[1]) if "." in number else 0
    return f"{value:,.{decimals}f}" if "," in number else f"{value:.{decimals}f}"


def update(path: Any, rows: list[dict], everything: bool = False) -> list[str]:
    """Rewrite the drifted numbers of one notebook with this run's; return changes.

    With ``everything``, restate every number this run measured differently, as
    after a new reference run.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    changes = []
    by_cell: dict[int, dict[str, set[str]]] = {}
    for row in rows:
        if row["measured"] is None or (row["status"] != "drift" and not everything):
            continue
        if row["prose"] == "order":  # a person rewrites a sentence whose order fails
            if row["status"] == "drift":
                changes.append(f"cell {row['cell']}: order {row['expression']} fails")
            continue
        source = notebook.cells[row["cell"]].source
        line = re.compile(
            rf"{START}{re.escape(row['prose'])}\s*(±[^=;]*)?=\s*"
            rf"{re.escape(row['expression'])}\s*(?=;|-->|$)",
            flags=re.M,
        )
        if not line.search(source):  # already restated, or the claim was edited
            continue
        new = restate(row["prose"], row["measured"])
        by_cell.setdefault(row["cell"], {}).setdefault(row["prose"], set()).add(new)
    for index, wanted in by_cell.items():
        mapping = {}
        for old, new in wanted.items():
            if len(new) > 1:  # one number in the text, two meanings: a person decides
                changes.append(f"cell {index}: {old} is {sorted(new)}: not changed")
            elif old not in new:
                mapping[old] = new.pop()
        if not mapping:
            continue
        cell = notebook.cells[index]
        prose_part = COMMENT.sub("", cell.source).rstrip()
        comment = cell.source[len(prose_part) :]
        numbers = "|".join(re.escape(old) for old in sorted(mapping, key=len)[::-1])
        in_text = re.compile(rf"(?<![\d.])({numbers})(?![\d])")
        in_comment = re.compile(rf"((?:^|[:;])\s*)({numbers})(?=\s*(±|=))", flags=re.M)

        def swap(match: re.Match, mapping: dict[str, str] = mapping) -> str:
            return mapping[match[1]]

        def swap_claim(match: re.Match, mapping: dict[str, str] = mapping) -> str:
            return match[1] + mapping[match[2]]

        cell.source = in_text.sub(swap, prose_part) + in_comment.sub(
            swap_claim, comment
        )
        changes += [f"cell {index}: {old} -> {new}" for old, new in mapping.items()]
    nbformat.write(notebook, path)
    return changes


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.prose_numbers update RUN.json``: restate drifted numbers."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=["update"])
    parser.add_argument("run", type=Path, help="the JSON file make bench wrote")
    parser.add_argument(
        "--all", action="store_true", help="restate every number, not only drift"
    )
    args = parser.parse_args(argv)
    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    run = json.loads(args.run.read_text(encoding="utf-8"))
    for name, result in run.items():
        rows = result.get("prose", [])
        for change in update(notebooks / f"{name}.ipynb", rows, args.all):
            print(f"{name}: {change}")
    print(
        "read each changed sentence again: the words around a number may be wrong now"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
