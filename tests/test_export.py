"""One home for each recipe: the generated helpers/lessonNN.py match the notebooks."""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tools import export, lessons

NOTEBOOKS = lessons()
IMPORT = re.compile(r"from helpers\.lesson(\d\d) import")


def _saved_names(path: Path) -> set[str]:
    """The top-level names a lesson's #@save cells define."""
    notebook = nbformat.read(path, as_version=4)
    tree = ast.parse("\n\n".join(export.saved_cells(notebook)))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_generated_modules_match_their_notebooks():
    assert export.stale() == [], "run: python -m tools.export"


def test_the_recipes_later_lessons_reuse_have_one_home():
    homes = {path.name[:2]: _saved_names(path) for path in NOTEBOOKS}
    assert {"add_noise"} <= homes["03"]
    assert {"NoiseReducer", "warmup_cosine"} <= homes["04"]
    assert {"build_unet", "train", "noisy_batches", "fit_bias_map"} <= homes["05"]


def test_a_changed_saved_cell_makes_the_module_stale():
    path = next(p for p in NOTEBOOKS if p.name.startswith("04"))
    notebook = nbformat.read(path, as_version=4)
    generated = (export.HELPERS / "lesson04.py").read_text(encoding="utf-8")
    assert export.module_source(path, notebook) == generated  # in step before
    cell = next(c for c in notebook.cells if export.MARK_LINE.match(c.source))
    assert "relu" in cell.source, "pick another word to change in this cell"
    cell.source = cell.source.replace("relu", "tanh", 1)
    changed = export.module_source(path, notebook)
    assert changed != generated
    assert changed.count("tanh") == generated.count("tanh") + 1  # the change itself


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lessons_import_earlier_lessons_and_never_redefine_them(path):
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for line in code.splitlines():
        match = IMPORT.search(line)
        if match:
            assert match[1] < path.name[:2], f"{path.name} imports a later lesson"
    imported = {m[1] for m in IMPORT.finditer(code)}
    for lesson in imported:
        assert f"taught in lesson {lesson}" in code, (
            f"{path.name}: say where helpers.lesson{lesson}'s code was taught"
        )
    others = set().union(*(_saved_names(p) for p in NOTEBOOKS if p != path))
    defined = set(re.findall(r"^(?:def|class) (\w+)", code, flags=re.M))
    assert not defined & others, f"{path.name} redefines {defined & others}"
