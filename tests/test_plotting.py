"""Plot layouts: the right number of panels, titles, and clear errors; alt text."""

import base64

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting import plot_history, show, show_images, show_rows  # noqa: E402


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


def test_show_rows_refuses_rows_of_unequal_length_and_names_them():
    rows = {"noisy": images(10), "denoised": images(5)}
    with pytest.raises(ValueError, match=r"same number.*'noisy': 10, 'denoised': 5"):
        show_rows(rows)
    with pytest.raises(ValueError, match="n=5 or less"):
        show_rows(rows, n=6)


def test_show_rows_n_cuts_every_row_to_its_first_images():
    fig = show_rows({"noisy": images(10), "denoised": images(5)}, n=5)
    assert len(fig.axes) == 10
    assert len(show_rows({"a": images(3), "b": images(3)}).axes) == 6  # n=10 > 3


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_show_rows_needs_a_positive_whole_n(n):
    with pytest.raises(ValueError, match="n must be a whole number"):
        show_rows({"a": images(3)}, n=n)


@pytest.mark.parametrize(
    "history",
    [{"loss": []}, {"Adam": {"loss": [], "val_loss": []}}, {"model": {}}],
    ids=["empty loss", "empty named", "no metrics"],
)
def test_plot_history_refuses_a_history_without_epochs(history):
    with pytest.raises(ValueError, match="has no epochs"):
        plot_history(history)
    assert plt.get_fignums() == []  # no half-drawn figure left behind


def test_plot_history_refuses_no_histories():
    with pytest.raises(ValueError, match="histories is empty"):
        plot_history({})


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """An in-process IPython shell that renders figures as PNG, as a kernel does."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))  # no profile in the home folder
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    select_figure_formats(shell, {"png"})
    yield shell
    InteractiveShell.clear_instance()


def test_show_puts_the_description_into_the_output_and_closes_the_figure(shell):
    from IPython.utils.capture import capture_output

    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 0, 1])
    with capture_output() as captured:
        show(fig, alt="A line that falls from 2 to 0,\n then rises to 1.")
    (output,) = captured.outputs
    assert output.data["image/png"]  # the figure itself
    description = "A line that falls from 2 to 0, then rises to 1."
    assert output.metadata["image/png"]["alt"] == description  # what nbconvert reads
    assert output.data["text/plain"] == description  # not "<Figure size ...>"
    page = output.data["text/html"]  # what JupyterLab draws: the PNG with its alt
    assert page.startswith('<img src="data:image/png;base64,')
    assert f'alt="{description}"' in page
    png = output.data["image/png"]
    assert (png if isinstance(png, str) else base64.b64encode(png).decode()) in page
    assert plt.get_fignums() == []  # closed: the cell's end does not draw it again


@pytest.mark.parametrize("alt", ["", "   \n", None])
def test_show_refuses_a_figure_without_a_description(alt):
    fig = show_images(images(2))
    with pytest.raises(ValueError, match="alt must describe the figure"):
        show(fig, alt)
    assert plt.get_fignums() == []  # not left to be drawn without its description


def test_show_wants_a_figure():
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match=r"matplotlib Figure, got Axes.*plt.gcf\(\)"):
        show(ax, "An empty set of axes.")


def test_show_outside_ipython_closes_the_figure():
    show(show_rows({"a": images(2)}), "One row of two random gray images.")
    assert plt.get_fignums() == []


def test_show_maps_picks_the_scale_from_the_signs():
    import numpy as np

    from helpers.plotting import show_maps

    rng = np.random.default_rng(0)
    positive = rng.random((7, 7))
    signed = rng.normal(size=(7, 7))
    fig = show_maps({"a": positive, "b": positive * 2}, label="activation")
    panels = [ax for ax in fig.axes if ax.images and ax.get_title()]
    assert [ax.images[0].get_cmap().name for ax in panels] == ["viridis", "viridis"]
    assert panels[0].images[0].get_clim() == (0.0, float((positive * 2).max()))
    fig = show_maps(
        {"signed": signed, "positive": positive},
        images={"input": positive},
        shared=False,
    )
    cmaps = {
        ax.get_title(): ax.images[0].get_cmap().name for ax in fig.axes if ax.images
    }
    assert cmaps == {"input": "gray", "signed": "RdBu_r", "positive": "viridis"}
    low, high = (
        next(ax for ax in fig.axes if ax.get_title() == "signed").images[0].get_clim()
    )
    assert low == -high  # diverging maps are centred on 0


def test_show_maps_refuses_a_stack_of_maps():
    import numpy as np
    import pytest

    from helpers.plotting import show_maps

    with pytest.raises(ValueError, match=r"maps\[..., i\]"):
        show_maps({"all": np.zeros((7, 7, 8))})


def test_plot_history_labels_loaded_curves_as_the_reference_runs():
    from helpers.weights import SavedHistory

    trained = {"loss": [0.3, 0.2]}  # a plain dict, as from fit().history
    fig = plot_history({"trained here": trained}, title="Curves")
    assert fig.axes[0].get_title() == "Curves"
    loaded = SavedHistory({"loss": [0.3, 0.2], "val_loss": [0.31, 0.25]})
    fig = plot_history({"trained here": trained, "loaded": loaded}, title="Curves")
    assert "the course's reference run" in fig.axes[0].get_title()
    plt.close("all")


def test_the_alt_text_is_escaped_in_the_page(shell):
    from IPython.utils.capture import capture_output

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    with capture_output() as captured:
        show(fig, alt='A "rising" line <1 & 2>.')
    page = captured.outputs[0].data["text/html"]
    assert 'alt="A &quot;rising&quot; line &lt;1 &amp; 2&gt;."' in page
