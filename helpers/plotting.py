"""Plot layouts used across the lessons: image grids, rows, maps and curves.

Every figure a lesson draws goes out through ``show(fig, alt)``, which displays it
with a text description (alt text) for readers who cannot see it.
"""

from __future__ import annotations

import base64
import html
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from helpers._arguments import as_image_batch


def _ipython() -> Any:
    """Return the running IPython shell (a notebook's kernel), or None."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python without IPython installed
        return None
    return get_ipython()


def figure_output(fig: Figure, alt: str) -> tuple[dict, dict] | None:
    """Return a figure's display data and metadata with its alt text, or None."""
    # The description goes into the output's metadata as {"image/png": {"alt": ...}}
    # (where nbconvert and tools.html look for it), replaces the output's plain
    # text, "<Figure size ...>", which is all that a text-only reader would get, and
    # comes as an HTML <img> with an alt attribute, which JupyterLab prefers to the
    # plain PNG (its renderer for images writes no alt): a screen reader gets it.
    if not isinstance(fig, Figure):
        raise TypeError(
            f"fig must be a matplotlib Figure, got {type(fig).__name__}; "
            "plt.gcf() returns the figure that plt.plot and plt.imshow drew on"
        )
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(
            f"alt must describe the figure in a sentence or two, got {alt!r}: "
            "say what is plotted, against what, and the main thing to notice, "
            "for a reader who cannot see it"
        )
    alt = " ".join(alt.split())
    shell = _ipython()
    data, metadata = shell.display_formatter.format(fig) if shell else ({}, {})
    images = [mime for mime in data if mime.startswith("image/")]
    if not images:  # plain Python, or a GUI backend: no image to describe
        return None
    data["text/plain"] = alt
    for mime in images:
        metadata[mime] = {**metadata.get(mime, {}), "alt": alt}
    if "image/png" in data:  # JupyterLab draws HTML first: an <img> with its alt
        data["text/html"] = _img_tag(data["image/png"], metadata["image/png"], alt)
    return data, metadata


def _img_tag(png: str | bytes, metadata: dict, alt: str) -> str:
    """Return an HTML <img> of a PNG (base64 or bytes) with its alt text and size."""
    if isinstance(png, bytes):
        png = base64.b64encode(png).decode("ascii")
    size = "".join(
        f' {key}="{int(metadata[key])}"'
        for key in ("width", "height")
        if key in metadata
    )
    return f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}"{size}>'


def show(fig: Figure, alt: str) -> None:
    """Display ``fig`` with its text description ``alt`` (alt text), then close it."""
    try:
        output = figure_output(fig, alt)
        if output is None:
            plt.show()
            return
        from IPython.display import display

        display(output[0], metadata=output[1], raw=True)
    finally:
        if isinstance(fig, Figure):
            plt.close(fig)  # never drawn again, without its alt text, at the cell's end


def _squeeze(image: np.ndarray) -> np.ndarray:
    """Drop a single channel axis so that imshow gets (H, W)."""
    return image[..., 0] if image.shape[-1] == 1 else image


def show_images(
    images: Any,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 10,
    suptitle: str | None = None,
    size: float = 1.3,
) -> plt.Figure:
    """Show a batch of images in a grid, each with an optional title."""
    batch = as_image_batch(images, "images", unit_range=False)
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    if titles is not None and len(titles) != len(batch):
        raise ValueError(
            f"titles must have one entry per image: got {len(titles)} titles "
            f"for {len(batch)} images"
        )
    ncols = min(ncols, len(batch))
    nrows = -(-len(batch) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(batch):
            ax.imshow(_squeeze(batch[index]), cmap="gray", vmin=0, vmax=batch.max())
            if titles is not None:
                ax.set_title(titles[index], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_rows(
    rows: Mapping[str, Any],
    *,
    n: int = 10,
    suptitle: str | None = None,
    size: float = 1.3,
) -> plt.Figure:
    """Show the first ``n`` images of each named batch as one labelled row.

    The classic use is ``show_rows({"noisy": x, "denoised": y, "original": z})``.
    Rows of different lengths are refused unless each holds at least ``n`` images.
    """
    if not rows:
        raise ValueError("rows is empty; pass a mapping like {'noisy': x, 'clean': y}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of at least 1, got {n!r}")
    batches = {
        label: as_image_batch(b, f"rows[{label!r}]", unit_range=False)
        for label, b in rows.items()
    }
    lengths = {label: len(batch) for label, batch in batches.items()}
    shortest = min(lengths.values())
    if shortest < n and len(set(lengths.values())) > 1:
        raise ValueError(
            f"rows must hold the same number of images, got {lengths}; pass "
            f"batches of equal length, or n={shortest} or less to show the first "
            "images of each"
        )
    n = min(n, shortest)
    fig, axes = plt.subplots(
        len(batches), n, figsize=(size * n, size * len(batches) + 0.4), squeeze=False
    )
    for row, (label, batch) in enumerate(batches.items()):
        for col in range(n):
            ax = axes[row, col]
            ax.imshow(_squeeze(batch[col]), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row, 0].set_ylabel(label, fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_denoising(
    noisy: Any,
    denoised: Any,
    original: Any,
    *,
    suptitle: str,
    images: str = "test images",
    denoiser: str = "the denoiser",
    n: int = 10,
) -> None:
    """Show the before/after grid: noisy, denoised and clean rows, with alt text."""
    fig = show_rows(
        {"noisy": noisy, "denoised": denoised, "clean": original},
        n=n,
        suptitle=suptitle,
    )
    show(
        fig,
        alt=f"Three rows of the first {n} {images}: the noisy inputs, {denoiser}'s "
        "outputs for them, and the clean originals.",
    )


def _as_map(values: Any, name: str) -> np.ndarray:
    """Return one 2-D map (H, W) from an array or tensor, or raise a clear error."""
    array = np.asarray(values.numpy() if hasattr(values, "numpy") else values)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be one 2-D map (height, width), got shape {array.shape}; "
            "pass maps[..., i] for channel i"
        )
    return array


def _scale(arrays: Sequence[np.ndarray]) -> tuple[str, float, float]:
    """Colour map and limits: viridis from 0 if never negative, else RdBu around 0."""
    low = min(float(a.min()) for a in arrays)
    high = max(float(np.abs(a).max()) for a in arrays) or 1.0
    if low >= 0:
        return "viridis", 0.0, high
    return "RdBu_r", -high, high


def show_maps(
    maps: Mapping[str, Any],
    *,
    images: Mapping[str, Any] | None = None,
    ncols: int | None = None,
    shared: bool = True,
    label: str = "value",
    suptitle: str | None = None,
    size: float = 1.8,
) -> plt.Figure:
    """Show named 2-D maps (feature maps, codes) in a grid, with colour bars.

    A map that is never negative is drawn in viridis from 0 (dark purple) to the
    largest value (yellow); signed maps in RdBu around 0 (white). With ``shared``
    every map uses one scale and one colour bar, so a dark map really is a weak
    one; otherwise each gets its own bar. ``images`` come first, in gray.
    """
    if not maps:
        raise ValueError(
            "maps is empty; pass a mapping like {'filter 0': maps[..., 0]}"
        )
    images = dict(images or {})
    arrays = {name: _as_map(m, f"maps[{name!r}]") for name, m in maps.items()}
    grays = {name: _as_map(m, f"images[{name!r}]") for name, m in images.items()}
    total = len(grays) + len(arrays)
    ncols = min(ncols or total, total)
    nrows = -(-total // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * ncols + 1.0, size * nrows + 0.5),
        squeeze=False,
        layout="constrained",
    )
    panels = list(axes.flat)
    for ax in panels:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in panels[total:]:
        ax.axis("off")
    for ax, (name, image) in zip(panels, grays.items(), strict=False):
        ax.imshow(image, cmap="gray", vmin=0, vmax=max(1.0, float(image.max())))
        ax.set_title(name, fontsize=9)
    map_axes = panels[len(grays) : total]
    common = _scale(list(arrays.values()))
    for ax, (name, array) in zip(map_axes, arrays.items(), strict=True):
        cmap, low, high = common if shared else _scale([array])
        drawn = ax.imshow(array, cmap=cmap, vmin=low, vmax=high)
        ax.set_title(name, fontsize=9)
        if not shared:
            fig.colorbar(drawn, ax=ax, label=label, shrink=0.8)
    if shared:
        fig.colorbar(drawn, ax=map_axes, label=label, shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    """Return the metrics dict of a Keras History (or a plain dict)."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "each history must be a keras History or a dict of lists, "
            f"got {type(history).__name__}"
        )
    return logs


def plot_history(
    histories: Mapping[str, Any] | Any,
    *,
    metric: str = "loss",
    title: str = "Training curves",
    ylabel: str | None = None,
    logy: bool = False,
    ylim: tuple[float | None, float | None] | None = None,
) -> plt.Figure:
    """Plot training and validation curves of one or more Keras histories.

    ``ylim=(0, None)`` starts the y-axis at 0, so that a small change looks small.
    """
    if not isinstance(histories, Mapping) or "loss" in histories:
        histories = {"": histories}
    if not histories:
        raise ValueError(
            "histories is empty; pass the History that fit() returns, "
            "or a mapping like {'Adam': history}"
        )
    all_logs = {label: _history_dict(h) for label, h in histories.items()}
    if any(getattr(h, "from_reference_run", False) for h in histories.values()):
        title += "\n(loaded weights: the course's reference run)"
    for label, logs in all_logs.items():
        name = label or "the model"
        if not logs or (metric in logs and len(logs[metric]) == 0):
            raise ValueError(
                f"the history of {name} has no epochs (got {dict(logs)}); "
                "train for at least one epoch, e.g. fit(..., epochs=1)"
            )
        if metric not in logs:
            raise ValueError(
                f"metric {metric!r} is not in the history of {name}; "
                f"it has {sorted(logs)}"
            )
    fig, ax = plt.subplots(figsize=(6.5, 4))
    # Each model gets its own marker as well as its own colour, so that the curves
    # stay apart for readers who cannot tell the colours apart; validation is dashed.
    markers = itertools.cycle("osD^v")
    for (label, logs), marker in zip(all_logs.items(), markers, strict=False):
        epochs = np.arange(1, len(logs[metric]) + 1)
        prefix = f"{label}: " if label else ""
        (line,) = ax.plot(
            epochs, logs[metric], marker=marker, label=f"{prefix}training"
        )
        if f"val_{metric}" in logs:
            ax.plot(
                epochs,
                logs[f"val_{metric}"],
                marker=marker,
                markerfacecolor="white",
                linestyle="--",
                color=line.get_color(),
                label=f"{prefix}validation",
            )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 1.5
    ax.set_ylabel(ylabel or metric)
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
