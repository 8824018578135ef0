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
    finite = np.isfinite(images)
    if not finite.all():
        n_nan = int(np.isnan(images).sum())
        n_inf = images.size - int(finite.sum()) - n_nan
        raise ValueError(
            f"{name} must hold finite pixel values, got {n_nan} NaN and {n_inf} "
            f"infinite (or too big for float32) values among {images.size}; find the "
            "step that made them (a division by zero, a diverged model) and fix it"
        )
    if unit_range:
        low, high = float(images.min()), float(images.max())
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"{name} must hold values in [0, 1], "
                f"got values from {low:g} to {high:g}; "
                "scale 0-255 pixels first (helpers.data.scale_images)"
            )
    return images


def same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise a ValueError unless two image batches have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {a.shape} and {b.shape}"
        )
