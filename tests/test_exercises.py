"""Exercises check themselves: a wrong answer gets its message and the hint, a
missing one a word of guidance, and the notebooks and the checks name the same
exercises. (`make test` runs every solution, which must pass its own check.)"""

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import exercises
from helpers.mode import MODE_VARIABLE
from tools import lessons

RNG = np.random.default_rng(0)
IMAGES = RNG.random((10, 28, 28, 1)).astype("float32")
CODES = np.zeros((200, 4, 4, 8), "float32")
CODES[:, 0] = 1.0  # one row of positions in use, the rest always 0


def _quality(noisy: float, clean: float) -> dict:
    return {"from_noisy": {"psnr": noisy}, "from_clean": {"psnr": clean}}


def _noise_reducer(widths=(16, 8)):
    from helpers.lesson04 import NoiseReducer

    return NoiseReducer(widths=widths)


# A typical wrong answer for each exercise, and a word its message must contain.
WRONG = {
    "01.1": (
        {"megapixels": 2.07, "grey_bytes": 2_073_600, "colour_bytes": 2_073_600},
        "colour",
    ),
    "01.2": ({"agreement": 0.9}, "agree"),
    "01.3": ({"colour": np.repeat(IMAGES, 3, axis=0), "x_train": IMAGES}, "shape"),
    "02.1": (
        {"conv_size": (None, 24, 24, 1), "pool_size": (None, 3, 3, 1)},
        "conv_size",
    ),
    "02.2": (
        {"slash": np.fliplr(np.eye(3)[::-1]), "backslash": np.eye(3)[::-1]},
        "slash",
    ),
    "02.3": ({"full_map": IMAGES, "skipped": IMAGES[:, 1::2, 1::2]}, "skipped"),
    "03.1": (
        {
            "encoder": SimpleNamespace(predict=lambda x, verbose: CODES),
            "x_test_noisy": IMAGES,
            "mean_zeros": 0.25,
            "dead_positions": 0,
            "dead_channels": 0,
        },
        "mean_zeros",
    ),
    "03.2": (
        {
            "x_test": IMAGES,
            "x_test_denoised": IMAGES[::-1],
            "psnr_by_hand": np.zeros(100),
            "mse_factor": 2.0,
        },
        "psnr_by_hand",
    ),
    "03.3": (
        {"fresh_val_losses": [0.2], "head_start_val_loss": 0.15, "EPOCHS_CLEAN": 4},
        "EPOCHS_CLEAN + 1",
    ),
    "04.1": (
        {
            "clipped_psnr": dict.fromkeys((0.1, 0.2, 0.4, 0.8), 12.0),
            "unclipped_psnr": dict.fromkeys((0.1, 0.2, 0.4, 0.8), 12.0),
        },
        "formula",
    ),
    "04.2": ({"bug": _quality(18.9, 18.9)}, "from_clean"),
    "04.3": (
        {
            "NoiseReducer": _noise_reducer,
            "predicted": 12_000,
            "mean_score": {(16, 8): 18.0, (32, 16): 18.5},
        },
        "predicted",
    ),
    "05.1": (
        {
            "FILTERS": {"median": (0, [3, 5]), "wavelet": (0, [0.1]), "BM3D": (0, [])},
            "sp_best": {"median": (20.0, 3)},
            "sp_unet_psnr": 21.0,
        },
        "wavelet",
    ),
    "05.2": ({"mixed": "the U-Net", "unet": "the U-Net"}, "copy"),
    "06.1": ({"swap": {"photo network": IMAGES, "clothes U-Net": IMAGES}}, "swap"),
    "06.2": (
        {
            "rgb_out": np.moveaxis(IMAGES[:3, ..., 0], 0, -1).T,
            "rgb": np.moveaxis(IMAGES[:3, ..., 0], 0, -1),
            "rgb_noisy": np.moveaxis(IMAGES[:3, ..., 0], 0, -1),
        },
        "shape",
    ),
}


def notebook_keys() -> set[str]:
    """The exercises the lessons' 'your turn' cells check."""
    found = set()
    for path in lessons():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            source = "".join(cell["source"])
            if source.startswith("# Your turn"):
                found.update(re.findall(r'check\("(\d\d\.\d)"\)', source))
    return found


def test_the_notebooks_and_the_checks_name_the_same_exercises():
    assert notebook_keys() == set(exercises.EXERCISES) == set(WRONG)


@pytest.mark.parametrize("key", sorted(WRONG))
def test_a_typical_wrong_answer_gets_its_message_and_the_hint(key, monkeypatch, capsys):
    monkeypatch.delenv(exercises.SOLUTIONS_VARIABLE, raising=False)
    monkeypatch.setenv(MODE_VARIABLE, "full")
    namespace, word = WRONG[key]
    exercises.check(key, namespace)
    said = capsys.readouterr().out
    assert f"Exercise {key}: not yet." in said and word in said, said
    assert exercises.EXERCISES[key].hint in said
    assert "could not be checked" not in said, said  # the test itself ran


@pytest.mark.parametrize("key", sorted(WRONG))
def test_with_solutions_on_a_wrong_answer_fails_and_a_missing_one_guides(
    key, monkeypatch, capsys
):
    monkeypatch.setenv(exercises.SOLUTIONS_VARIABLE, "1")
    monkeypatch.setenv(MODE_VARIABLE, "full")
    with pytest.raises(AssertionError, match=f"Exercise {key}: not yet"):
        exercises.check(key, WRONG[key][0])
    exercises.check(key, {})  # the empty cell before the solution: no error
    assert "not answered yet" in capsys.readouterr().out


def test_a_right_answer_is_called_correct_and_a_hint_comes_on_request(
    capsys, monkeypatch
):
    monkeypatch.delenv(exercises.SOLUTIONS_VARIABLE, raising=False)
    answer = {"megapixels": 2.1, "grey_bytes": 2_073_600, "colour_bytes": 6_220_800}
    exercises.check("01.1", answer)  # "2.1 MP", as people say it, is right
    assert capsys.readouterr().out == "Exercise 01.1: correct.\n"
    exercises.check("02.1", {"conv_size": 12, "pool_size": [None, 3, 3, 1]})
    assert capsys.readouterr().out == "Exercise 02.1: correct.\n"  # side or shape
    exercises.check("01.1", {}, hint=True)
    said = capsys.readouterr().out
    assert exercises.EXERCISES["01.1"].hint in said and "not answered yet" in said
    exercises.check("01.1", {**answer, "megapixels": "2.07 MP"})
    assert "megapixels should be a number, got str" in capsys.readouterr().out
    with pytest.raises(KeyError, match="the exercises are"):
        exercises.check("09.9", answer)


def test_the_teachers_notebooks_have_every_solution_in_place(tmp_path):
    """Generated from the lessons: unfolded, unguarded, and otherwise the same."""
    import ast

    import nbformat

    from tools import teacher

    assert teacher.main(["--out", str(tmp_path)]) == 0
    for path in lessons():
        lesson = nbformat.read(path, as_version=4)
        copy = nbformat.read(tmp_path / path.name, as_version=4)
        assert len(copy.cells) == len(lesson.cells)
        solutions = 0
        for mine, theirs in zip(lesson.cells, copy.cells, strict=True):
            if teacher.is_solution(mine):
                solutions += 1
                assert teacher.GUARD not in theirs.source
                assert "jupyter" not in theirs.metadata  # unfolded
                ast.parse(theirs.source)
            else:
                assert theirs.source == mine.source
        assert solutions >= 2, path.name


def test_a_teachers_notebook_runs_its_solutions_without_the_switch(
    tmp_path, monkeypatch
):
    """Lesson 02 (seconds): every check in a solution cell says 'correct'."""
    import nbformat

    from tools import teacher
    from tools.kernels import execute

    monkeypatch.delenv(exercises.SOLUTIONS_VARIABLE, raising=False)
    path = next(p for p in lessons() if p.name.startswith("02"))
    notebook = teacher.teacher_notebook(nbformat.read(path, as_version=4))
    execute(notebook, 300, tmp_path)
    said = [
        "".join(o.get("text", "") for o in cell.outputs)
        for cell in notebook.cells
        if teacher.is_solution(cell)
    ]
    assert all(f"Exercise 02.{n}: correct." in s for n, s in enumerate(said, 1)), said


def test_run_all_shows_no_answer(tmp_path, monkeypatch):
    """Lesson 02 run top to bottom as "Run All" does, without the switch: every
    solution cell stays silent and every check asks for an answer."""
    import nbformat

    from tools import teacher
    from tools.kernels import execute

    monkeypatch.delenv(exercises.SOLUTIONS_VARIABLE, raising=False)
    path = next(p for p in lessons() if p.name.startswith("02"))
    notebook = nbformat.read(path, as_version=4)
    execute(notebook, 300, tmp_path)
    cells = notebook.cells
    solutions = [i for i, cell in enumerate(cells) if teacher.is_solution(cell)]
    for i in solutions:
        assert cells[i].outputs == [], cells[i].source[:40]  # no answer shown
        said = "".join(o.get("text", "") for o in cells[i - 1].outputs)
        assert "not answered yet" in said, said
