"""A learner's own photo: read from a file as grey in [0, 1], or a clear error."""

import numpy as np
import pytest
from skimage import io

from helpers.data import PhotoError, read_photo


def test_a_colour_png_becomes_grey_in_unit_range(tmp_path):
    rgb = np.zeros((5, 7, 3), np.uint8)
    rgb[..., 0] = 255  # pure red
    path = tmp_path / "red.png"
    io.imsave(path, rgb, check_contrast=False)
    photo = read_photo(path)
    assert photo.shape == (5, 7) and photo.dtype == np.float32
    np.testing.assert_allclose(photo, 0.2125, atol=1e-3)  # red's share of luminance


def test_a_grey_png_keeps_its_values(tmp_path):
    grey = np.arange(35, dtype=np.uint8).reshape(5, 7) * 7
    path = tmp_path / "grey.png"
    io.imsave(path, grey, check_contrast=False)
    np.testing.assert_allclose(read_photo(str(path)), grey / 255, atol=1e-6)


def test_a_file_that_is_not_an_image_is_named_in_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a photo")
    with pytest.raises(PhotoError, match=r"notes\.txt is not an image"):
        read_photo(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PhotoError, match=r"nowhere\.png is not a file"):
        read_photo(tmp_path / "nowhere.png")
