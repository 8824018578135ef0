"""Lesson 03's recipes (add_noise, split_and_scale) refuse bad input clearly."""

import numpy as np
import pytest
import tensorflow as tf

from helpers.lesson03 import add_noise

IMAGES = np.full((2, 4, 4, 1), 0.5, dtype="float32")


@pytest.mark.parametrize(
    ("factor", "error", "words"),
    [
        (-0.4, ValueError, "at least 0"),
        (float("nan"), ValueError, "NaN"),
        (float("inf"), ValueError, "finite"),
        (np.array([[[[0.2]]], [[[-0.1]]]], "float32"), ValueError, "-0.1"),
        ("0.4", TypeError, "number"),
        (None, TypeError, "number"),
        (np.array(["a"]), TypeError, "dtype"),
    ],
)
def test_a_bad_noise_factor_is_named(factor, error, words):
    with pytest.raises(error, match="noise_factor") as caught:
        add_noise(IMAGES, factor, seed=1)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("images", "words"),
    [
        (IMAGES * 255, "scale 0-255 pixels first"),  # the commonest slip
        (IMAGES - 1, "values in [0, 1]"),
        (np.where(IMAGES > 0, np.nan, 0).astype("float32"), "32 NaN"),
        (np.where(IMAGES > 0, np.inf, 0).astype("float32"), "32 infinite"),
    ],
)
def test_bad_images_are_named(images, words):
    with pytest.raises(ValueError, match="images") as caught:
        add_noise(images, 0.4, seed=1)
    assert words in str(caught.value)
    with pytest.raises(ValueError):  # a tensor is checked the same way
        add_noise(tf.constant(images), 0.4, seed=1)


def test_good_input_passes_in_every_form():
    for factor in [0.4, 0, np.float32(0.1), np.full((2, 1, 1, 1), 0.3, "float32")]:
        noisy = add_noise(IMAGES, factor, seed=1).numpy()
        assert noisy.shape == IMAGES.shape
        assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert np.array_equal(add_noise(IMAGES, 0, seed=1), IMAGES)  # no noise: as is
    add_noise((IMAGES * 255).astype("uint8") // 255, 0.4)  # 0/1 integers are fine


def test_it_still_works_inside_tf_data():
    """In a pipeline values are unknown until it runs: a Python factor is checked."""
    batches = tf.data.Dataset.from_tensor_slices(IMAGES).batch(2)
    noisy = batches.map(lambda x: add_noise(x, 0.4))
    assert next(iter(noisy)).shape == (2, 4, 4, 1)
    factor = tf.constant(0.2)  # a tensor factor, as lesson 06's pipeline makes
    both = batches.map(lambda x: add_noise(x, tf.where(x > 0.6, factor, 0.1)))
    assert next(iter(both)).shape == (2, 4, 4, 1)
    with pytest.raises(ValueError, match="noise_factor"):
        batches.map(lambda x: add_noise(x, -0.4))


def test_split_and_scale_keeps_validation_out_of_training():
    """Lesson 03's split: disjoint sets, or a ValueError (a stand-in's 4,000 images
    once gave quick mode a validation set inside its training set)."""
    from helpers.lesson03 import split_and_scale

    train = np.arange(10 * 4, dtype=np.uint8).reshape(10, 2, 2)
    fit, val, test = split_and_scale(train, train[:3], 7, 3, 2)
    assert fit.shape == (7, 2, 2, 1) and val.shape == (3, 2, 2, 1) and len(test) == 2
    assert not set(fit.ravel()) & set(val.ravel())  # no image in both
    with pytest.raises(ValueError, match="n_train \\+ n_val = 11 > 10"):
        split_and_scale(train, train, 8, 3, 1)
