"""Argument checks that fail early with a message a learner can act on."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_image_batch(
    images: Any,
    name: str,
    *,
    unit_range: bool = True,
) -> np.ndarray:
    """Return ``images`` as a float32 batch (N, H, W, C), or raise a clear error.

    Accepts NumPy arrays and tensors of rank 3 (N, H, W) or 4 (N, H, W, C) of
    finite numbers. With ``unit_range`` the values must lie in [0, 1].
    """
    if hasattr(images, "numpy") and not isinstance(images, np.ndarray):
        images = images.numpy()
    if not isinstance(images, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array or a tensor of images, "
            f"got {type(images).__name__}"
        )
    if not (
        np.issubdtype(images.dtype, np.floating)
        or np.issubdtype(images.dtype, np.integer)
    ):
        raise TypeError(
            f"{name} must hold numbers (float or integer pixels), "
            f"got dtype {images.dtype}"
        )
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name} must have rank 3 (N, H, W) or 4 (N, H, W, C), "
            f"got shape {images.shape}"
        )
    if images.shape[0] == 0:
        raise ValueError(
            f"{name} is empty (shape {images.shape}); pass at least one image"
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    with np.errstate(over="ignore"):  # values beyond float32 become inf: see below
        images = images.astype("float32", copy=False)
    check_pixels(images, name, unit_range=unit_range)
    return images


def check_pixels(images: np.ndarray, name: str, unit_range: bool = True) -> None:
    """Raise a ValueError unless every value is finite (unit_range: in [0, 1])."""
    finite = np.isfinite(images)
    if not finite.all():
        n_nan = int(np.isnan(images).sum())
        n_inf = images.size - int(finite.sum()) - n_nan
        raise ValueError(
            f"{name} must hold finite pixel values, got {n_nan} NaN and {n_inf} "
            f"infinite (or too big for float32) values among {images.size}; find the "
            "step that made them (a division by zero, a diverged model) and fix it"
        )
    low, high = float(images.min()), float(images.max())
    if unit_range and (low < 0.0 or high > 1.0):
        raise ValueError(
            f"{name} must hold values in [0, 1], "
            f"got values from {low:g} to {high:g}; "
            "scale 0-255 pixels first (helpers.data.scale_images)"
        )


def _known_values(value: Any, name: str) -> np.ndarray | None:
    """Return ``value`` as a NumPy array; None inside tf.data or tf.function."""
    if value is None or isinstance(value, str | bytes):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r}"
        )
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()  # an eager tensor: its values are known
    try:
        values = np.asarray(value)
    except NotImplementedError:  # a symbolic tensor: values exist only when it runs
        return None
    if not (
        np.issubdtype(values.dtype, np.floating)
        or np.issubdtype(values.dtype, np.integer)
    ):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got dtype {values.dtype}"
        )
    return values


def check_noise_args(images: Any, noise_factor: Any) -> None:
    """Raise a clear error for images or a noise factor the noise recipe cannot use.

    It checks what is known: everything in plain Python code; inside tf.data or a
    tf.function, where values exist only when the graph runs, nothing but a noise
    factor given as a Python number or NumPy array.
    """
    factor = _known_values(noise_factor, "noise_factor")
    if factor is not None:
        if np.isnan(factor).any():
            raise ValueError(
                "noise_factor is NaN; pass a standard deviation, such as 0.4"
            )
        if (factor < 0).any() or np.isinf(factor).any():
            raise ValueError(
                "noise_factor must be finite and at least 0 (it is a standard "
                f"deviation, such as 0.4), got {factor.min():g} to {factor.max():g}"
            )
    pixels = _known_values(images, "images")
    if pixels is not None:
        with np.errstate(over="ignore"):
            check_pixels(pixels.astype("float32", copy=False), "images")


def same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise a ValueError unless two image batches have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {a.shape} and {b.shape}"
        )
