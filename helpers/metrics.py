"""Image-quality metrics over a batch: PSNR and SSIM, computed by ``tf.image``."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers._arguments import as_image_batch, same_shape
from helpers.report import format_table

_BATCH = 1024
# tf.image.ssim compares 11x11 Gaussian-weighted windows: smaller images have none.
SSIM_MIN_SIZE = 11


def _per_image(
    metric: Any, reference: Any, images: Any, *, min_size: int = 1
) -> np.ndarray:
    """Apply a tf.image metric in chunks and return one value per image."""
    import tensorflow as tf

    reference = as_image_batch(reference, "reference")
    images = as_image_batch(images, "images")
    same_shape(reference, images, "reference", "images")
    height, width = images.shape[1:3]
    if height < min_size or width < min_size:
        raise ValueError(
            f"{metric.__name__} needs reference and images of at least "
            f"{min_size}x{min_size} pixels (its window size), got {height}x{width} "
            f"(shape {images.shape}); use psnr for smaller images"
        )
    values = []
    for start in range(0, len(images), _BATCH):
        ref = tf.constant(reference[start : start + _BATCH])
        img = tf.constant(images[start : start + _BATCH])
        values.append(metric(ref, img, max_val=1.0).numpy())
    return np.concatenate(values).astype("float64")


def psnr(reference: Any, images: Any) -> np.ndarray:
    """Return the PSNR in dB of each image against its clean reference."""
    import tensorflow as tf

    values = _per_image(tf.image.psnr, reference, images)
    # A perfect copy has infinite PSNR; cap it so that averages stay finite.
    return np.minimum(values, 100.0)


def ssim(reference: Any, images: Any) -> np.ndarray:
    """Return the SSIM (0 to 1, 1 is identical) of each image against its reference."""
    import tensorflow as tf

    return _per_image(tf.image.ssim, reference, images, min_size=SSIM_MIN_SIZE)


def quality_table(reference: Any, **candidates: Any) -> dict[str, dict[str, float]]:
    """Return mean PSNR and SSIM of each named batch against the reference."""
    if not candidates:
        raise ValueError(
            "quality_table needs at least one named batch, "
            "e.g. quality_table(clean, noisy=x_noisy, denoised=x_out)"
        )
    return {
        label: {
            "psnr": float(psnr(reference, images).mean()),
            "ssim": float(ssim(reference, images).mean()),
        }
        for label, images in candidates.items()
    }


def format_quality_table(table: dict[str, dict[str, float]]) -> str:
    """Return a quality table as aligned text, one row per batch."""
    rows = {
        label: {"PSNR (dB)": row["psnr"], "SSIM": row["ssim"]}
        for label, row in table.items()
    }
    return format_table(rows, {"PSNR (dB)": ".2f", "SSIM": ".3f"}, label="images")
