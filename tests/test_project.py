"""Project hygiene: notebooks committed clean, lint passes, pins agree."""

import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tools import lessons

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = lessons()
MIN_EXERCISES = 2


def test_there_are_lessons():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb found"


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def text(cell):
    return "".join(cell["source"])


def test_outputs_and_execution_counts_are_cleared(notebook):
    for cell in code_cells(notebook):
        assert cell["outputs"] == [], f"outputs kept in: {text(cell)[:60]!r}"
        assert cell["execution_count"] is None, f"count kept in: {text(cell)[:60]!r}"


def test_metadata_is_what_jupyterlab_writes(notebook):
    """Opening a lesson in JupyterLab changes nothing: kernelspec and language info
    are committed as JupyterLab writes them for the course's python3 kernel."""
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"] == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    info = notebook["metadata"]["language_info"]
    assert info["codemirror_mode"] == {"name": "ipython", "version": 3}
    assert info["name"] == "python" and info["pygments_lexer"] == "ipython3"
    assert {"file_extension", "mimetype", "nbconvert_exporter"} <= set(info)
    # JupyterLab rewrites the Python version on 3.12 and 3.13, so it is not committed
    assert "version" not in info, "language_info.version is committed; remove it"


def test_header_has_title_objectives_and_time(notebook):
    header = text(notebook["cells"][0])
    assert re.match(r"# \d\d · ", header), "first cell must start '# NN · Title'"
    assert "**Learning objectives**" in header
    assert "**Prerequisites**" in header
    assert re.search(r"\*\*Time\*\*: about \d+ min", header), "time estimate missing"


def test_has_checkpoints_exercises_and_key_points(notebook):
    sources = [text(c) for c in code_cells(notebook)]
    assert any(s.startswith("# Checkpoint") and "assert" in s for s in sources)
    solutions = [
        c
        for c in code_cells(notebook)
        if text(c).startswith("# Solution")
        and c["metadata"].get("jupyter", {}).get("source_hidden")
    ]
    assert len(solutions) >= MIN_EXERCISES, "each lesson needs >= 2 collapsed solutions"
    cells = code_cells(notebook)
    lesson = re.match(r"# (\d\d) · ", text(notebook["cells"][0]))[1]
    for number, cell in enumerate(solutions, start=1):
        key = f"{lesson}.{number}"
        # Run All must not show the answer: the solution runs only when asked
        assert text(cell).split("\n")[1] == "if solutions_on():", text(cell)[:60]
        assert text(cell).rstrip().endswith(f'check("{key}")'), key
        assert cell["metadata"]["jupyter"].get("outputs_hidden"), text(cell)[:40]
        above = cells[cells.index(cell) - 1]
        assert text(above).startswith("# Your turn"), (
            f"no 'your turn' cell above {text(cell)[:40]!r}"
        )
        assert f'check("{key}")' in text(above), f"the cell above {key} checks it"
    markdown = "".join(
        text(c) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )
    assert markdown.count("### Exercise") >= len(solutions)
    assert "## Key points" in markdown
    assert any("set_random_seed" in s for s in sources), "no fixed seed"
    assert any("key_figures = report(" in s for s in sources), "no key figures"


def test_the_first_code_cell_is_the_same_colab_cell_everywhere(notebook):
    """On Colab it installs the course; elsewhere it must do nothing at all."""
    first = text(code_cells(notebook)[0])
    other = text(code_cells(json.loads(NOTEBOOKS[0].read_text(encoding="utf-8")))[0])
    assert first == other, "every lesson starts with the same Colab cell"
    assert 'if "google.colab" in sys.modules:' in first
    assert "from helpers.colab import install" in first
    assert "import keras" not in first and "import tensorflow" not in first


def test_the_colab_cell_stops_with_one_sentence_while_the_address_is_unset(
    monkeypatch,
):
    """With the placeholder address, no failed git clone: a message naming the fix."""
    first = text(code_cells(json.loads(NOTEBOOKS[0].read_text(encoding="utf-8")))[0])
    if "OWNER/REPOSITORY" not in first:
        pytest.skip("the real address is filled in: the cell clones it")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    with pytest.raises(SystemExit, match="Set COURSE_REPOSITORY in this cell"):
        exec(first, {})  # noqa: S102 - the lesson's own cell, as Colab runs it


def test_setup_cell_starts_before_tensorflow_loads(notebook):
    """start() sets TensorFlow's log and CPU settings, which work only before import."""
    setup = text(code_cells(notebook)[1])  # after the Colab cell
    imports = [setup.find(f"import {name}") for name in ("keras", "tensorflow")]
    assert max(imports) >= 0, "the set-up cell should import TensorFlow"
    first_import = min(i for i in imports if i >= 0)  # keras imports TensorFlow too
    assert 0 <= setup.find("start(") < first_import, "call start() before TensorFlow"


def test_start_sets_both_variables_before_tensorflow_loads():
    """In a fresh interpreter: start() sets them, and TensorFlow was not yet loaded."""
    probe = (
        "import os, sys\n"
        "import helpers.prelude as s\n"
        "assert 'tensorflow' not in sys.modules, 'helpers imported TensorFlow early'\n"
        "s.describe_speed = lambda *a, **k: 'speed'\n"
        "s.start(training_s=1)\n"
        "print(os.environ['TF_CPP_MIN_LOG_LEVEL'], os.environ['TF_ENABLE_ONEDNN_OPTS'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Run mode:") and lines[1].startswith("TensorFlow")
    assert lines[-2:] == ["speed", "2 1"], lines


def test_ruff_lints_and_formats_everything():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    targets = ["helpers", "tools", "tests", "notebooks", "conftest.py"]
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [ruff, *args, *targets], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def pins(lines):
    """Return {requirement with its marker: version} for the pinned lines."""
    found = {}
    for line in lines:
        if "==" not in line or line.strip().startswith("#"):
            continue
        name, rest = line.split("==", 1)
        version, _, marker = rest.partition(";")
        found[f"{name.strip().lower()};{marker.strip()}"] = version.strip()
    return found


def test_environment_yml_pins_match_requirements():
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines())
    conda = pins(
        line.strip().lstrip("- ")
        for line in (ROOT / "environment.yml").read_text().splitlines()
    )
    # The one planned difference: conda's pip installs this project with its
    # dependencies, whose "tensorflow" would come on top of a tensorflow-cpu.
    tensorflow = {key: v for key, v in requirements.items() if "tensorflow" in key}
    assert len(set(tensorflow.values())) == 1, tensorflow
    for key in tensorflow:
        del requirements[key]
    requirements["tensorflow;"] = tensorflow.popitem()[1]
    assert requirements == conda


# --- What the project declares: the notebooks' imports, as ranges ---------------

# Import names whose distribution is named otherwise; the rest are the same.
DISTRIBUTIONS = {
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "pywt": "pywavelets",
}


def pyproject():
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def declared():
    """Return {distribution: specifier} of pyproject.toml's dependencies."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    requirements = map(Requirement, pyproject()["project"]["dependencies"])
    return {canonicalize_name(r.name): r.specifier for r in requirements}


def notebook_imports(path):
    """Return the top-level modules the code cells of a notebook import."""
    import ast

    modules = set()
    for cell in code_cells(json.loads(path.read_text(encoding="utf-8"))):
        lines = text(cell).splitlines()
        source = "\n".join(x for x in lines if not x.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


def test_every_notebook_import_is_declared_in_pyproject():
    own = set(pyproject()["tool"]["setuptools"]["packages"])  # helpers
    dependencies = declared()
    for path in NOTEBOOKS:
        for module in sorted(notebook_imports(path) - own - sys.stdlib_module_names):
            distribution = DISTRIBUTIONS.get(module, module)
            assert distribution in dependencies, (
                f"{path.name} imports {module}: add {distribution} to pyproject.toml"
            )


def test_the_import_check_sees_the_lessons_libraries():
    imported = set().union(*map(notebook_imports, NOTEBOOKS))
    assert {"tensorflow", "keras", "skimage", "sklearn", "helpers"} <= imported


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-oldest.txt"])
def test_pins_lie_in_pyproject_ranges(name):
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    dependencies = declared()
    pinned = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            version = str(requirement.specifier).removeprefix("==")
            pinned[canonicalize_name(requirement.name).removesuffix("-cpu")] = version
    for distribution, specifier in dependencies.items():
        assert distribution in pinned, f"{name} pins no {distribution}"
        assert specifier.contains(pinned[distribution]), (
            f"{name} pins {distribution}=={pinned[distribution]}, "
            f"outside pyproject.toml's {specifier}"
        )
        if name == "requirements-oldest.txt":  # the lower bounds are the oldest set
            assert f">={pinned[distribution]}" in str(specifier).split(","), (
                f"{distribution}: lower bound {specifier}, oldest set "
                f"{pinned[distribution]}"
            )


MAX_PROSE_LINES = 15  # COURSE.md, "Rhythm of a lesson": about 12 at most


def test_no_wall_of_prose_between_two_code_cells(notebook):
    """No markdown cell over 15 lines; folded <details> and hidden comments aside."""
    long_cells = []
    for index, cell in enumerate(notebook["cells"]):
        source = text(cell)
        if cell["cell_type"] != "markdown" or index == 0:
            continue  # the header (objectives, time) is exempt
        if source.lstrip().startswith("## Key points"):
            continue
        bare = re.sub(r"<details>.*?</details>", "", source, flags=re.S)
        bare = re.sub(r"<!--.*?-->", "", bare, flags=re.S)  # reference-run notes
        lines = sum(1 for line in bare.splitlines() if line.strip())
        if lines > MAX_PROSE_LINES:
            long_cells.append((index, lines, source[:50]))
    assert not long_cells, f"markdown cells over {MAX_PROSE_LINES} lines: {long_cells}"


def test_the_lesson_list_is_written_in_one_place():
    """tools.lessons() is the list; nothing else spells out lesson files or numbers."""
    spelled = re.compile(r"0\[[0-9]+\]_|\[0-9\]\[0-9\]_")  # wildcards such as 0[3456]_
    places = [ROOT / "Makefile", *ROOT.glob("tools/*.py"), *ROOT.glob("tests/*.py")]
    found = [
        path.name
        for path in places
        if path.name not in ("__init__.py", "test_project.py")
        and spelled.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"use tools.lessons() instead in {found}"
