"""Reference-run comments are read exactly, and every lesson's are well formed."""

import re
from pathlib import Path

import nbformat
import pytest

from tools.prose_numbers import Claim, claims, problems, prose

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0*.ipynb"))


def _notebook(*markdown: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    return notebook


def test_claims_are_read_with_their_tolerances():
    notebook = _notebook(
        "Scores 18.91 dB, 1,000 images, 27 s.\n<!-- reference run\n"
        "18.91 = q['psnr']\n1,000 ± 5 = n\n27 ±50% = seconds\n-->"
    )
    found = claims(notebook)
    assert [c.number for c in found] == ["18.91", "1,000", "27"]
    assert found[0].allowed() == pytest.approx(0.1891)  # 1 % beats half a unit
    assert found[1].value == 1000 and found[1].allowed() == 5
    assert found[2].allowed() == pytest.approx(13.5)
    assert Claim(0, "0.208", "x").allowed() == pytest.approx(0.00208)


def test_problems_are_named():
    notebook = _notebook(
        "In the reference run: 19.0 dB.",
        "Scored 12.5 dB.\n<!-- reference run\n13.5 = x\n12.5 = (\n-->",
    )
    found = problems(notebook)
    assert any("cell 0: 19.0 stands beside 'reference run'" in p for p in found)
    assert any("13.5 is not in the cell's prose" in p for p in found)
    assert any("'(' is not Python" in p for p in found)
    with pytest.raises(ValueError, match="NUMBER"):
        claims(_notebook("<!-- reference run\nabout twenty = x\n-->"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_lesson_names_what_its_reference_numbers_measure(path):
    assert problems(nbformat.read(path, as_version=4)) == []


def test_update_restates_drifted_numbers_in_prose_and_comment(tmp_path):
    from tools.prose_numbers import restate, update

    path = tmp_path / "nb.ipynb"
    nbformat.write(
        _notebook(
            "Scored 18.91 dB on 1,000 images.\n<!-- reference run\n"
            "18.91 = q\n1,000 = n\n-->"
        ),
        path,
    )
    rows = [
        {
            "cell": 0,
            "prose": "18.91",
            "expression": "q",
            "measured": 19.004,
            "status": "drift",
        },
        {
            "cell": 0,
            "prose": "1,000",
            "expression": "n",
            "measured": 1000.0,
            "status": "ok",
        },
    ]
    assert update(path, rows) == ["cell 0: 18.91 -> 19.00"]
    source = nbformat.read(path, as_version=4).cells[0].source
    assert source.startswith("Scored 19.00 dB on 1,000 images.")
    assert "\n19.00 = q\n" in source and "18.91" not in source
    assert restate("1,000", 12345.4) == "12,345" and restate("5.3", 5.26) == "5.3"


def test_update_does_not_chain_two_numbers_into_one(tmp_path):
    from tools.prose_numbers import update

    path = tmp_path / "nb.ipynb"
    nbformat.write(
        _notebook("5.8 epochs; 5.0 dB.\n<!-- reference run\n5.8 = e\n5.0 = g\n-->"),
        path,
    )
    rows = [
        {
            "cell": 0,
            "prose": "5.8",
            "expression": "e",
            "measured": 5.03,
            "status": "drift",
        },
        {
            "cell": 0,
            "prose": "5.0",
            "expression": "g",
            "measured": 4.9,
            "status": "drift",
        },
    ]
    update(path, rows)
    source = nbformat.read(path, as_version=4).cells[0].source
    assert source.startswith("5.0 epochs; 4.9 dB.")
    assert "\n5.0 = e\n4.9 = g\n" in source


def test_update_twice_changes_nothing_the_second_time(tmp_path):
    from tools.prose_numbers import update

    path = tmp_path / "nb.ipynb"
    nbformat.write(
        _notebook("Got 5.8, then 5.0.\n<!-- reference run\n5.8 = e\n-->"), path
    )
    rows = [
        {
            "cell": 0,
            "prose": "5.8",
            "expression": "e",
            "measured": 5.0,
            "status": "drift",
        }
    ]
    assert update(path, rows) == ["cell 0: 5.8 -> 5.0"]
    assert update(path, rows) == []
    assert (
        nbformat.read(path, as_version=4)
        .cells[0]
        .source.startswith("Got 5.0, then 5.0.")
    )


def test_one_line_comments_are_read_and_updated(tmp_path):
    from tools.prose_numbers import update

    text = 'Got 5.8 and 0.32.\n\n<!-- reference run: 5.8 ±40% = e; 0.32 = q["s"] -->'
    found = claims(_notebook(text))
    assert [(c.number, c.expression, c.percent) for c in found] == [
        ("5.8", "e", True),
        ("0.32", 'q["s"]', False),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(text), path)
    rows = [
        {
            "cell": 0,
            "prose": "0.32",
            "expression": 'q["s"]',
            "measured": 0.3,
            "status": "drift",
        }
    ]
    assert update(path, rows) == ["cell 0: 0.32 -> 0.30"]
    source = nbformat.read(path, as_version=4).cells[0].source
    assert (
        source
        == 'Got 5.8 and 0.30.\n\n<!-- reference run: 5.8 ±40% = e; 0.30 = q["s"] -->'
    )


def test_claims_of_order_are_checked_as_orders(tmp_path):
    from tools.prose_numbers import collect, instrument, update

    notebook = _notebook(
        "Sandals came last.\n<!-- reference run: order: min(s, key=s.get) == 'sandal'"
        "; 2 = len(s) -->\n2 classes."
    )
    found = claims(notebook)
    assert [(c.number, c.order) for c in found] == [("order", True), ("2", False)]
    assert found[0].value == 1.0 and found[0].allowed() == 0.0
    assert problems(notebook) == []  # an order names no number in the prose
    instrument(notebook)
    # what a run prints: the order does not hold, the count does
    added = [c for c in notebook.cells if c.cell_type == "code"]
    added[-1].outputs = [
        nbformat.v4.new_output("stream", text='__PROSE_NUMBERS__{"0": 0.0, "1": 2.0}\n')
    ]
    rows = collect(notebook, found)
    assert [row["status"] for row in rows] == ["drift", "ok"]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, path)
    changes = update(path, rows, everything=True)
    assert changes == ["cell 0: order min(s, key=s.get) == 'sandal' fails"]
    assert "Sandals came last." in nbformat.read(path, as_version=4).cells[0].source


def _settings() -> dict[str, float]:
    """The course's settings: upper-case numbers the lessons export (`# @save`)."""
    import importlib

    found = {}
    for path in NOTEBOOKS:
        module = (
            Path(__file__).resolve().parents[1]
            / "helpers"
            / f"lesson{path.stem[:2]}.py"
        )
        if module.exists():
            names = vars(importlib.import_module(f"helpers.lesson{path.stem[:2]}"))
            found.update(
                (name, float(value))
                for name, value in names.items()
                if name.isupper() and isinstance(value, int | float)
            )
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_settings_the_prose_quotes_are_the_codes(path):
    """A claim such as `0.4 = NOISE_FACTOR` is checked here, without a run: a
    change of the setting fails every cell whose prose still quotes the old value."""
    settings = _settings()
    wrong = [
        f"cell {claim.cell}: the prose says {claim.number}, {claim.expression} is "
        f"{settings[claim.expression]:g}"
        for claim in claims(nbformat.read(path, as_version=4))
        if claim.expression in settings and claim.value != settings[claim.expression]
    ]
    assert wrong == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_mention_of_the_noise_level_is_tied_to_noise_factor(path):
    """Prose that names the noise level claims it (`0.4 = NOISE_FACTOR`), so that the
    test above catches the cell when the level changes. Only cells that speak of
    noise count; measured numbers in dB, % or seconds are not the level."""
    from helpers.lesson03 import NOISE_FACTOR

    level = re.compile(
        rf"(?<![\d.±]){re.escape(f'{NOISE_FACTOR:g}')}(?![\d])(?!\s*(?:dB|%|s\b))"
    )
    notebook = nbformat.read(path, as_version=4)
    tied = {c.cell for c in claims(notebook) if c.expression == "NOISE_FACTOR"}
    untied = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        and "nois" in prose(cell.source).lower()  # a 0.5 for a sigmoid's grey is not
        and level.search(prose(cell.source))
        and index not in tied
    ]
    assert untied == [], f"add <!-- reference run: {NOISE_FACTOR:g} = NOISE_FACTOR -->"
