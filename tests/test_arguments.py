"""as_image_batch: the one gate every helper's images pass, and its errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers._arguments import as_image_batch  # noqa: E402
from helpers.data import scale_images  # noqa: E402
from helpers.metrics import psnr, ssim  # noqa: E402
from helpers.plotting import show_images, show_rows  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def with_value(value, dtype="float32"):
    images = np.full((2, 28, 28), 0.5, dtype=dtype)
    images[0, 3, 4] = value
    return images


def test_a_clean_batch_gets_a_channel_axis():
    batch = as_image_batch(with_value(0.2), "images")
    assert batch.shape == (2, 28, 28, 1) and batch.dtype == np.float32


@pytest.mark.parametrize(
    ("value", "counts"),
    [(np.nan, "1 NaN and 0 infinite"), (np.inf, "0 NaN and 1 infinite")],
)
def test_non_finite_pixels_are_refused_with_their_count(value, counts):
    message = f"x must hold finite pixel values, got {counts}"
    with pytest.raises(ValueError, match=message):
        as_image_batch(with_value(value), "x")


def test_nan_is_refused_even_without_the_range_check():
    with pytest.raises(ValueError, match="finite"):
        as_image_batch(with_value(np.nan), "x", unit_range=False)


def test_values_too_big_for_float32_count_as_infinite():
    images = with_value(1e300, dtype="float64")
    with pytest.raises(ValueError, match="1 infinite"):
        as_image_batch(images, "x", unit_range=False)


def test_integer_pixels_are_always_finite():
    pixels = np.full((1, 4, 4), 255, dtype="uint8")
    assert as_image_batch(pixels, "x", unit_range=False).max() == 255.0


@pytest.mark.parametrize(
    "call",
    [
        lambda bad: psnr(bad, bad),
        lambda bad: ssim(np.zeros_like(bad), bad),
        lambda bad: show_images(bad),
        lambda bad: show_rows({"noisy": bad}),
        lambda bad: scale_images(bad * 255),
    ],
    ids=["psnr", "ssim", "show_images", "show_rows", "scale_images"],
)
def test_every_helper_refuses_nan(call):
    with pytest.raises(ValueError, match="finite pixel values"):
        call(with_value(np.nan))
