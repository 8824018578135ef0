"""Shipped weights: saved with their hashes, loaded only when intact."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from helpers import mode, weights
from helpers.data import DataUnavailableError, find_source


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
    monkeypatch.setattr(weights, "course_noise_factor", lambda: 0.5)
    for load in (weights.load_trained, weights.load_from_lesson):
        with pytest.raises(weights.WeightsError, match="now 0.5, so these weights"):
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


def test_the_shipped_weights_record_the_course_noise_level():
    for path in sorted(weights.WEIGHTS_DIR.glob("*.history.json")):
        recorded = json.loads(path.read_text())[weights.NOISE_KEY]
        assert recorded == [weights.course_noise_factor()], path.name


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


LESSONS_WITH_WEIGHTS = [
    "03_pooling_autoencoder_mnist.ipynb",
    "04_strided_denoiser_fashion_mnist.ipynb",
    "05_how_good_is_it_really.ipynb",
    "06_beyond_the_benchmark.ipynb",
]


@pytest.mark.skipif(not weights.read_manifest(), reason="run `make weights` first")
@pytest.mark.parametrize("lesson", LESSONS_WITH_WEIGHTS)
def test_quick_mode_with_pretrained_weights_reaches_full_quality(lesson):
    """Quick mode with the shipped weights passes the full-quality checkpoints."""
    name = "mnist" if lesson.startswith("03") else "fashion_mnist"
    try:
        find_source(name)
    except DataUnavailableError as error:
        pytest.skip(f"{name} is not on this machine: {error}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(COURSE_MODE="quick", COURSE_PRETRAINED="1")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-o",
            "addopts=--nbval-lax --nbval-current-env -p no:cacheprovider",
            f"notebooks/{lesson}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert " passed" in out and "failed" not in out and "skipped" not in out
