"""Shipped weights: saved with their hashes, loaded only when intact."""

import json

import keras
import numpy as np
import pytest

from helpers import mode, weights
from helpers.data import DataUnavailableError, find_source
from tools import lessons


def tiny_model() -> keras.Model:
    """A two-layer model small enough to build in a test."""
    model = keras.Sequential(
        [keras.Input(shape=(4, 4, 1)), keras.layers.Conv2D(2, 3, padding="same")]
    )
    model.compile(optimizer="adam", loss="mse")
    return model


def saved(tmp_path, monkeypatch):
    """Save a tiny model and its history in tmp_path; return the model."""
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    model = tiny_model()
    weights.save(model, "99_tiny", {"loss": [0.5, 0.25]}, folder=tmp_path)
    return model


def test_save_then_load_gives_the_same_weights_and_history(tmp_path, monkeypatch):
    model = saved(tmp_path, monkeypatch)
    other = tiny_model()
    history = weights.load_trained(other, "99_tiny", folder=tmp_path)
    assert history.history == {"loss": [0.5, 0.25]}
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    manifest = (tmp_path / "SHA256SUMS").read_text().splitlines()
    assert [line.split("  ")[1] for line in manifest] == [
        "99_tiny.history.json",
        "99_tiny.weights.h5",
    ]


def test_an_altered_weight_file_is_refused_with_both_hashes(tmp_path, monkeypatch):
    saved(tmp_path, monkeypatch)
    path = tmp_path / "99_tiny.weights.h5"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    expected = weights.read_manifest(tmp_path)[path.name]
    with pytest.raises(weights.WeightsError) as error:
        weights.load_trained(tiny_model(), "99_tiny", folder=tmp_path)
    message = str(error.value)
    assert "altered" in message and expected in message and "make weights" in message


def test_weights_made_at_another_noise_level_are_refused(tmp_path, monkeypatch):
    saved(tmp_path, monkeypatch)
    recorded = json.loads((tmp_path / "99_tiny.history.json").read_text())
    assert recorded[weights.NOISE_KEY] == [weights.course_noise_factor()]
    other = round(weights.course_noise_factor() + 0.1, 2)  # whatever the level is
    monkeypatch.setattr(weights, "course_noise_factor", lambda: other)
    for load in (weights.load_trained, weights.load_from_lesson):
        with pytest.raises(weights.WeightsError, match=f"now {other:g}, so these"):
            load(tiny_model(), "99_tiny", folder=tmp_path)


def test_a_history_without_its_noise_level_is_refused(tmp_path, monkeypatch):
    saved(tmp_path, monkeypatch)
    path = tmp_path / "99_tiny.history.json"
    path.write_text(json.dumps({"loss": [0.5, 0.25]}))  # made before the record
    manifest = weights.read_manifest(tmp_path)
    manifest[path.name] = weights._sha256(path)
    weights._write_manifest(manifest, tmp_path)
    with pytest.raises(weights.WeightsError, match="records no noise level"):
        weights.load_trained(tiny_model(), "99_tiny", folder=tmp_path)


def test_the_shipped_weights_record_the_noise_level_and_the_layout():
    for path in sorted(weights.WEIGHTS_DIR.glob("*.history.json")):
        recorded = json.loads(path.read_text())
        assert recorded[weights.NOISE_KEY] == [weights.course_noise_factor()], path
        assert len(recorded[weights.LAYOUT_KEY][0]) == 16, path.name
        assert recorded["seconds"][-1] > 0, path.name  # the reference run's time


def test_the_shipped_folder_holds_the_lessons_weights_only():
    """A stray file (a test's, say) would ship to every learner: none may be there."""
    numbers = {path.name[:2] for path in lessons()}
    files = {path.name for path in weights.WEIGHTS_DIR.iterdir()} - {weights.MANIFEST}
    assert files == set(weights.read_manifest()), "files and SHA256SUMS disagree"
    assert {name[:2] for name in files} <= numbers, sorted(files)


def test_weights_made_for_another_network_are_refused(tmp_path, monkeypatch):
    """Same weight shapes, another activation: the layout hash tells them apart."""
    saved(tmp_path, monkeypatch)
    other = keras.Sequential(
        [
            keras.Input(shape=(4, 4, 1)),
            keras.layers.Conv2D(2, 3, padding="same", activation="relu"),
        ]
    )
    assert weights.architecture(other) != weights.architecture(tiny_model())
    for load in (weights.load_trained, weights.load_from_lesson):
        with pytest.raises(weights.WeightsError, match="built differently"):
            load(other, "99_tiny", folder=tmp_path)


def test_the_layout_hash_ignores_the_names_keras_numbers(tmp_path):
    first, second = tiny_model(), tiny_model()  # conv2d, conv2d_1, ...
    assert first.layers[0].name != second.layers[0].name
    assert weights.architecture(first) == weights.architecture(second)


def test_fit_or_load_trains_times_and_saves_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    monkeypatch.delenv(mode.PRETRAINED_VARIABLE, raising=False)
    monkeypatch.setenv(mode.SAVE_WEIGHTS_VARIABLE, "1")
    model = tiny_model()
    x = np.zeros((2, 4, 4, 1), "float32")
    history = weights.fit_or_load(
        model, "99_tiny", lambda: model.fit(x, x, epochs=2, verbose=0)
    )
    assert len(history.history["loss"]) == 2
    assert history.history["seconds"][0] > 0  # the fit, timed
    monkeypatch.setenv(mode.PRETRAINED_VARIABLE, "1")
    other = tiny_model()
    loaded = weights.fit_or_load(other, "99_tiny", lambda: pytest.fail("trained"))
    assert loaded.from_reference_run
    assert loaded.history["seconds"] == history.history["seconds"]


def test_a_missing_weight_file_is_named(tmp_path, monkeypatch):
    saved(tmp_path, monkeypatch)
    (tmp_path / "99_tiny.history.json").unlink()
    with pytest.raises(weights.WeightsError, match="99_tiny.history.json is missing"):
        weights.load_trained(tiny_model(), "99_tiny", folder=tmp_path)


def test_a_bad_name_is_refused():
    with pytest.raises(ValueError, match="name must be"):
        weights.load_trained(tiny_model(), "../elsewhere")


def test_load_from_lesson_loads_in_every_mode_and_says_from_where(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    model = tiny_model()
    weights.save(model, "05_tiny", {"loss": [0.5]}, folder=tmp_path)
    capsys.readouterr()
    for pretrained in ("0", "1"):  # the same load, with or without the switch
        monkeypatch.setenv(mode.PRETRAINED_VARIABLE, pretrained)
        other = tiny_model()
        history = weights.load_from_lesson(other, "05_tiny", folder=tmp_path)
        assert history.history == {"loss": [0.5]}
        for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 1 and "lesson 05" in lines[0], lines
        assert "05_tiny.weights.h5" in lines[0] and "make weights" in lines[0]
        assert mode.PRETRAINED_VARIABLE not in lines[0]  # true in every mode


def test_load_from_lesson_refuses_an_altered_file_without_false_advice(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    weights.save(tiny_model(), "05_tiny", {"loss": [0.5]}, folder=tmp_path)
    path = tmp_path / "05_tiny.weights.h5"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(weights.WeightsError) as error:
        weights.load_from_lesson(tiny_model(), "05_tiny", folder=tmp_path)
    message = str(error.value)
    assert "altered" in message and "make weights" in message
    assert mode.PRETRAINED_VARIABLE not in message  # unsetting it would not help
    with pytest.raises(ValueError, match="lesson number"):
        weights.load_from_lesson(tiny_model(), "tiny", folder=tmp_path)


def test_save_if_asked_saves_only_when_make_weights_asks(tmp_path, monkeypatch):
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    monkeypatch.delenv(mode.SAVE_WEIGHTS_VARIABLE, raising=False)
    weights.save_if_asked(tiny_model(), "99_tiny", {"loss": [1.0]})
    assert not list(tmp_path.iterdir())


def test_the_pretrained_switch_and_full_quality(monkeypatch):
    monkeypatch.setenv(mode.MODE_VARIABLE, "quick")
    monkeypatch.setenv(mode.PRETRAINED_VARIABLE, "0")
    assert not mode.use_pretrained() and not mode.full_quality()
    monkeypatch.setenv(mode.PRETRAINED_VARIABLE, "1")
    assert mode.use_pretrained() and mode.full_quality()
    assert "COURSE_PRETRAINED=1" in mode.describe()


def test_the_shipped_weights_match_their_manifest():
    """Every file the course ships is listed with its true SHA-256, and vice versa."""
    listed = weights.read_manifest()
    files = {
        path.name
        for path in weights.WEIGHTS_DIR.glob("*")
        if path.name != weights.MANIFEST
    }
    assert files == set(listed), "run `make weights` to refresh notebooks/weights"
    for name, digest in listed.items():
        assert weights._sha256(weights.WEIGHTS_DIR / name) == digest, name
    histories = [
        json.loads((weights.WEIGHTS_DIR / n).read_text())
        for n in listed
        if n.endswith(".history.json")
    ]
    assert all("loss" in h for h in histories)


ROOT = weights.WEIGHTS_DIR.parent.parent


LESSONS = [path.name for path in lessons()]
WITHOUT_WEIGHTS = {"01", "02"}  # they load nothing: 01 trains, 02 trains nothing


def printed(cell) -> str:
    """The text a code cell printed."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


@pytest.mark.skipif(not weights.read_manifest(), reason="run `make weights` first")
@pytest.mark.parametrize("lesson", LESSONS)
def test_binders_mode_runs_and_every_line_says_what_it_shows(lesson, monkeypatch):
    """Quick mode with the shipped weights (Binder's start): full-quality checkpoints
    pass, and the mode, speed, BM3D and key-figure lines agree with what runs."""
    import nbformat

    from tools.kernels import execute

    name = "mnist" if lesson.startswith(("01", "03")) else "fashion_mnist"
    try:
        find_source(name)
    except DataUnavailableError as error:
        pytest.skip(f"{name} is not on this machine: {error}")
    monkeypatch.setenv("COURSE_MODE", "quick")
    monkeypatch.setenv("COURSE_PRETRAINED", "1")
    notebook = nbformat.read(ROOT / "notebooks" / lesson, as_version=4)
    execute(notebook, 600, ROOT / "notebooks")  # a failing checkpoint raises
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    setup = printed(next(c for c in code if c.source.startswith("# Extra code: im")))
    figures = printed(next(c for c in code if "key_figures = report(" in c.source))
    assert "Run mode: quick" in setup
    if lesson[:2] in WITHOUT_WEIGHTS:
        assert "changes nothing here: this lesson has no trained weights" in setup
        assert "skipped" not in setup and "reference run" not in figures
    else:
        assert "training cells load the course's trained weights" in setup
        assert "the trainings are skipped" in setup
        assert "the reference run that made the weights" in figures
    if "bm3d: available" in setup:
        assert "quick mode skips it" in setup
