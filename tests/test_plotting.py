"""Plot layouts: the right number of panels, titles, and clear errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting import plot_history, show_images, show_rows  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def images(n=12):
    return np.random.default_rng(0).uniform(0, 1, size=(n, 28, 28, 1))


def test_show_images_lays_out_a_grid_with_titles():
    fig = show_images(images(12), titles=[str(i) for i in range(12)], ncols=5)
    assert len(fig.axes) == 15  # 3 rows of 5; the last three stay empty
    assert fig.axes[11].get_title() == "11"


def test_show_images_accepts_uint8_pixels():
    pixels = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype="uint8")
    assert len(show_images(pixels).axes) == 3


def test_show_rows_labels_each_row():
    fig = show_rows({"noisy": images(), "denoised": images(), "clean": images()}, n=4)
    assert len(fig.axes) == 12
    assert [fig.axes[i].get_ylabel() for i in (0, 4, 8)] == [
        "noisy",
        "denoised",
        "clean",
    ]


def test_plot_history_draws_training_and_validation():
    history = {"loss": [0.3, 0.2, 0.1], "val_loss": [0.35, 0.25, 0.2]}
    fig = plot_history({"Adam": history}, title="Loss")
    ax = fig.axes[0]
    assert ax.get_title() == "Loss"
    assert len(ax.get_lines()) == 2
    assert len(plot_history(history).axes[0].get_lines()) == 2


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="one entry per image"):
        show_images(images(3), titles=["a"])
    with pytest.raises(ValueError, match="rows is empty"):
        show_rows({})
    with pytest.raises(ValueError, match="metric 'accuracy' is not in the history"):
        plot_history({"loss": [1.0]}, metric="accuracy")
    with pytest.raises(TypeError, match="keras History or a dict"):
        plot_history({"model": [1.0, 2.0]})
