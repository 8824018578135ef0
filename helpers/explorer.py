"""An explorer for lesson 05: turn the noise up, pick a denoiser, watch the result.

:func:`explore` draws and scores one view, noisy / denoised / clean with PSNR and
SSIM; it is a plain function, so tests and headless runs call it directly.
:func:`explorer` shows the default view as an ordinary figure (with alt text) and,
below it, sliders and menus (ipywidgets) that redraw the figure in place. Headless
(nbval, the HTML build, the benchmark) the figure stays and the controls are inert.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers._arguments import as_image_batch
from helpers.metrics import psnr, ssim
from helpers.plotting import figure_output, show

Denoiser = Callable[[np.ndarray], np.ndarray]
MAX_GAUSSIAN = 0.8
MAX_SALT_PEPPER = 0.3


def _check_settings(
    images: np.ndarray,
    denoisers: Mapping[str, Denoiser],
    gaussian: float,
    salt_pepper: float,
    denoiser: str,
    image: int,
) -> None:
    """Raise a clear error for a setting the explorer cannot draw."""
    if not denoisers:
        raise ValueError("denoisers is empty; pass a dict like {'median': function}")
    if denoiser not in denoisers:
        raise ValueError(f"denoiser is {denoiser!r}, expected one of {list(denoisers)}")
    if not 0 <= gaussian <= MAX_GAUSSIAN:
        raise ValueError(f"gaussian must be from 0 to {MAX_GAUSSIAN}, got {gaussian}")
    if not 0 <= salt_pepper <= MAX_SALT_PEPPER:
        raise ValueError(
            f"salt_pepper must be from 0 to {MAX_SALT_PEPPER}, got {salt_pepper}"
        )
    if isinstance(image, bool) or not isinstance(image, (int, np.integer)):
        raise TypeError(f"image must be an index such as 0, got {type(image).__name__}")
    if not 0 <= image < len(images):
        raise ValueError(f"image must be from 0 to {len(images) - 1}, got {image}")


def make_noisy(clean: np.ndarray, gaussian: float, salt_pepper: float, seed: int = 0):
    """Return ``clean`` with Gaussian noise, then salt-and-pepper noise, in [0, 1]."""
    from skimage.util import random_noise

    from helpers.lesson03 import add_noise  # the noise recipe, taught in lesson 03

    noisy = add_noise(np.asarray(clean, "float32"), gaussian, seed=seed).numpy()
    if salt_pepper > 0:
        noisy = random_noise(noisy, mode="s&p", amount=salt_pepper, rng=seed)
    return noisy.astype("float32")


def explore(
    images: Any,
    denoisers: Mapping[str, Denoiser],
    *,
    gaussian: float,
    salt_pepper: float = 0.0,
    denoiser: str | None = None,
    image: int = 0,
    seed: int = 0,
) -> tuple[Figure, dict[str, float]]:
    """Draw noisy / denoised / clean for one image; return the figure and scores."""
    clean_images = as_image_batch(images, "images")
    denoiser = denoiser if denoiser is not None else next(iter(denoisers), "")
    _check_settings(clean_images, denoisers, gaussian, salt_pepper, denoiser, image)
    clean = clean_images[image : image + 1]
    noisy = make_noisy(clean, gaussian, salt_pepper, seed=seed)
    start = time.perf_counter()
    denoised = np.clip(np.asarray(denoisers[denoiser](noisy), "float32"), 0, 1)
    seconds = time.perf_counter() - start
    scores = {
        "noisy PSNR": float(psnr(clean, noisy)[0]),
        "noisy SSIM": float(ssim(clean, noisy)[0]),
        "denoised PSNR": float(psnr(clean, denoised)[0]),
        "denoised SSIM": float(ssim(clean, denoised)[0]),
        "seconds": seconds,
    }
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.8))
    panels = [
        (
            noisy,
            f"noisy\n{scores['noisy PSNR']:.1f} dB, SSIM {scores['noisy SSIM']:.2f}",
        ),
        (
            denoised,
            f"{denoiser}\n{scores['denoised PSNR']:.1f} dB, "
            f"SSIM {scores['denoised SSIM']:.2f}",
        ),
        (clean, "clean"),
    ]
    for ax, (picture, title) in zip(axes, panels, strict=True):
        ax.imshow(picture[0, ..., 0], cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.suptitle(
        f"Image {image}: Gaussian noise {gaussian:.2f}, "
        f"salt and pepper {salt_pepper:.2f} ({1000 * seconds:.0f} ms to denoise)"
    )
    fig.tight_layout(rect=(0, 0, 1, 0.9))  # room for the title above the panels
    return fig, scores


def describe(scores: Mapping[str, float], denoiser: str, image: int) -> str:
    """Return the alt text of an explorer view: what is shown and its scores."""
    return (
        f"Three panels for test image {image}: the noisy input "
        f"({scores['noisy PSNR']:.1f} dB PSNR, SSIM {scores['noisy SSIM']:.2f}), "
        f"the output of {denoiser} ({scores['denoised PSNR']:.1f} dB, "
        f"SSIM {scores['denoised SSIM']:.2f}), and the clean image."
    )


def explorer(
    images: Any, denoisers: Mapping[str, Denoiser], *, gaussian: float, **defaults: Any
) -> dict[str, float]:
    """Show the default view, then controls that redraw it; return its scores.

    ``gaussian`` is the noise factor to start at: the lesson's own, passed in.
    """
    settings = {"gaussian": gaussian, "salt_pepper": 0.0, "image": 0, **defaults}
    settings.setdefault("denoiser", next(iter(denoisers), ""))
    fig, scores = explore(images, denoisers, **settings)
    output = figure_output(
        fig, describe(scores, settings["denoiser"], settings["image"])
    )
    if output is None:  # plain Python: no notebook to put controls in
        show(fig, describe(scores, settings["denoiser"], settings["image"]))
        return scores
    plt.close(fig)
    import ipywidgets as widgets
    from IPython.display import display

    handle = display(output[0], metadata=output[1], raw=True, display_id=True)
    controls = {
        "gaussian": widgets.FloatSlider(
            value=settings["gaussian"],
            min=0,
            max=MAX_GAUSSIAN,
            step=0.05,
            description="Gaussian",
        ),
        "salt_pepper": widgets.FloatSlider(
            value=settings["salt_pepper"],
            min=0,
            max=MAX_SALT_PEPPER,
            step=0.01,
            description="salt & pepper",
            style={"description_width": "initial"},  # the whole label, not "salt+pep…"
        ),
        "denoiser": widgets.Dropdown(
            options=list(denoisers), value=settings["denoiser"], description="denoiser"
        ),
        "image": widgets.BoundedIntText(
            value=settings["image"], min=0, max=len(images) - 1, description="image"
        ),
    }

    def redraw(change: Any = None) -> None:
        """Draw the view for the controls' current values, in place of the old one."""
        values = {name: control.value for name, control in controls.items()}
        new_fig, new_scores = explore(images, denoisers, **values)
        alt = describe(new_scores, values["denoiser"], values["image"])
        data, metadata = figure_output(new_fig, alt) or ({}, {})
        plt.close(new_fig)
        handle.update(data, metadata=metadata, raw=True)

    for control in controls.values():
        control.observe(redraw, names="value")
    display(
        widgets.HBox(
            [
                widgets.VBox(list(controls.values())[:2]),
                widgets.VBox(list(controls.values())[2:]),
            ]
        )
    )
    return scores
