"""PSNR and SSIM over a batch, and the errors for bad input."""

import numpy as np
import pytest

from helpers.metrics import format_quality_table, psnr, quality_table, ssim


@pytest.fixture
def clean():
    return np.random.default_rng(0).uniform(0, 1, size=(4, 28, 28, 1)).astype("float32")


def test_psnr_matches_its_definition(clean):
    other = np.clip(clean + 0.1, 0, 1)
    mse = ((clean - other) ** 2).mean(axis=(1, 2, 3))
    expected = 10 * np.log10(1.0 / mse)
    np.testing.assert_allclose(psnr(clean, other), expected, rtol=1e-4)


def test_identical_images_give_capped_psnr_and_ssim_one(clean):
    assert np.all(psnr(clean, clean) == 100.0)
    np.testing.assert_allclose(ssim(clean, clean), 1.0, atol=1e-6)


def test_more_noise_means_lower_scores(clean):
    rng = np.random.default_rng(1)
    light = np.clip(clean + 0.05 * rng.standard_normal(clean.shape), 0, 1)
    heavy = np.clip(clean + 0.3 * rng.standard_normal(clean.shape), 0, 1)
    assert psnr(clean, light).mean() > psnr(clean, heavy).mean()
    assert ssim(clean, light).mean() > ssim(clean, heavy).mean()


def test_rank_three_batches_are_accepted(clean):
    assert psnr(clean[..., 0], clean[..., 0]).shape == (4,)


def test_quality_table_and_its_text(clean):
    table = quality_table(clean, same=clean, darker=clean * 0.5)
    assert table["same"]["ssim"] == pytest.approx(1.0, abs=1e-6)
    assert table["darker"]["psnr"] < table["same"]["psnr"]
    text = format_quality_table(table)
    assert "darker" in text and "PSNR" in text


@pytest.mark.parametrize(
    ("reference", "images", "error", "message"),
    [
        (np.zeros((2, 28, 28)), np.zeros((3, 28, 28)), ValueError, "same shape"),
        (np.zeros((28, 28)), np.zeros((28, 28)), ValueError, "rank 3"),
        (np.zeros((0, 28, 28)), np.zeros((0, 28, 28)), ValueError, "empty"),
        (np.full((1, 28, 28), 255.0), np.zeros((1, 28, 28)), ValueError, r"\[0, 1\]"),
        ([[0.0]], np.zeros((1, 28, 28)), TypeError, "NumPy array"),
        (np.zeros((1, 28, 28), dtype=bool), np.zeros((1, 28, 28)), TypeError, "dtype"),
    ],
)
def test_bad_input_names_the_argument(reference, images, error, message):
    with pytest.raises(error, match=message):
        psnr(reference, images)


def test_quality_table_needs_a_batch(clean):
    with pytest.raises(ValueError, match="at least one"):
        quality_table(clean)


@pytest.mark.parametrize("shape", [(2, 10, 28, 1), (2, 28, 8), (1, 4, 4, 1)])
def test_ssim_names_its_minimum_size(shape):
    small = np.zeros(shape, dtype="float32")
    with pytest.raises(ValueError, match=r"at least 11x11 pixels .*got \d+x\d+"):
        ssim(small, small)


def test_ssim_accepts_exactly_its_window_size():
    images = np.random.default_rng(0).uniform(0, 1, size=(2, 11, 11, 1))
    np.testing.assert_allclose(ssim(images, images), 1.0, atol=1e-6)


def test_psnr_has_no_minimum_size():
    tiny = np.full((1, 2, 2), 0.5)
    assert psnr(tiny, tiny).shape == (1,)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_images_are_refused(clean, bad):
    broken = clean.copy()
    broken[1, 5, 5, 0] = bad
    with pytest.raises(ValueError, match="images must hold finite pixel values"):
        psnr(clean, broken)
    with pytest.raises(ValueError, match="reference must hold finite pixel values"):
        ssim(broken, clean)
