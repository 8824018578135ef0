"""Exercises that check themselves, with a hint, and the solution only on request.

Each exercise's "your turn" cell ends with ``check("02.1")``. It reads the names
the exercise asks for from the notebook and says whether the answer is right; if
not, it says what is wrong and gives the hint (``check("02.1", hint=True)`` gives
it before any answer).
The solution sits folded in the cell below, and runs only when asked:
``COURSE_SOLUTIONS=1`` runs every solution (the tests, the benchmark and the
teacher's notebooks, ``make teacher``). "Run All" shows no answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.metrics import psnr
from helpers.mode import full_quality, switch
from helpers.weights import architecture

SOLUTIONS_VARIABLE = "COURSE_SOLUTIONS"
Namespace = Mapping[str, Any]


def solutions_on() -> bool:
    """Return True when solution cells should run (``COURSE_SOLUTIONS=1``)."""
    return switch(SOLUTIONS_VARIABLE)


@dataclass(frozen=True)
class Exercise:
    """What an exercise asks the learner to define, how to test it, and a hint."""

    names: tuple[str, ...]  # the names the learner's code defines
    test: Callable[[Namespace], str | None]  # what is wrong, or None
    hint: str


def _close(name: str, value: Any, expected: float, within: float) -> str | None:
    """Say that a number is off (without giving the answer), or None when it is
    within ``within`` of the expected value."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return f"{name} should be a number, got {type(value).__name__}."
    if not np.isfinite(value) or abs(float(value) - expected) > within:
        shown = f"{value:,}" if float(value).is_integer() else f"{float(value):.4g}"
        return f"{name} = {shown} is not right yet."
    return None


def _photo(ns: Namespace) -> str | None:
    mp, grey, colour = ns["megapixels"], ns["grey_bytes"], ns["colour_bytes"]
    if grey == colour:
        return "grey_bytes equals colour_bytes: colour stores more per pixel."
    return (
        _close("megapixels", mp, 1920 * 1080 / 1e6, 0.05)  # 2.07 or 2.1
        or _close("grey_bytes", grey, 1920 * 1080, 0)
        or _close("colour_bytes", colour, 3 * 1920 * 1080, 0)
    )


def _agreement(ns: Namespace) -> str | None:
    if ns["agreement"] < 0.5:  # probabilities compared, not the predicted digits
        return (
            f"the two models agree on {ns['agreement']:.1%} of the digits: compare "
            "the predicted digits, predict(...).argmax(axis=1), not probabilities."
        )
    if ns["agreement"] < 0.99:
        return f"the two models agree on {ns['agreement']:.1%} of the digits only."
    return None


def _colour(ns: Namespace) -> str | None:
    colour = np.asarray(ns["colour"])
    if colour.shape != (10, 28, 28, 3):
        return f"colour has shape {colour.shape}; expected (10, 28, 28, 3)."
    if not all(
        np.array_equal(colour[..., c], ns["x_train"][:10, ..., 0]) for c in (0, 1, 2)
    ):
        return "each of the three channels should be the scaled image, x_train[:10]."
    return None


def _side(shape: Any) -> int | None:
    """Return a map's side from an output shape such as (None, 12, 12, 1), or the
    side itself (12); None when it is neither."""
    if isinstance(shape, int | np.integer):
        return int(shape)
    try:
        return int(tuple(shape)[1])
    except (TypeError, ValueError, IndexError):
        return None


def _sizes(ns: Namespace) -> str | None:
    for name, side in (("conv_size", 12), ("pool_size", 3)):
        found = _side(ns[name])
        if found is None:
            return f"{name} should be an output shape, such as (None, 10, 10, 1)."
        if found != side:
            return f"{name} gives maps of {found}x{found}, which is not right yet."
    return None


def _diagonals(ns: Namespace) -> str | None:
    from scipy import ndimage

    up = np.eye(7)[::-1]  # a stroke from the bottom left to the top right: /
    scores = {
        name: [
            float(np.maximum(ndimage.correlate(line, ns[name]), 0).sum())
            for line in (up, up[:, ::-1])
        ]
        for name in ("slash", "backslash")
    }
    if scores["slash"][0] <= scores["slash"][1]:
        return "slash responds more to a \\ stroke than to a / stroke."
    if scores["backslash"][1] <= scores["backslash"][0]:
        return "backslash responds more to a / stroke than to a \\ stroke."
    return None


def _strided(ns: Namespace) -> str | None:
    full_map, skipped = np.asarray(ns["full_map"]), np.asarray(ns["skipped"])
    every_second = full_map[:, ::2, ::2, :]
    if skipped.shape != every_second.shape or not np.allclose(
        skipped, every_second, atol=1e-5
    ):
        return (
            f"skipped {skipped.shape} is not full_map[:, ::2, ::2, :] "
            f"{every_second.shape}."
        )
    return None


def _code_size(ns: Namespace) -> str | None:
    codes = ns["encoder"].predict(ns["x_test_noisy"][:200], verbose=0) == 0
    expected = {
        "mean_zeros": codes.mean(),
        "dead_positions": codes.all(axis=0).sum(),
        "dead_channels": codes.all(axis=(0, 1, 2)).sum(),
    }
    for name, value in expected.items():
        if (problem := _close(name, ns[name], float(value), 1e-6)) is not None:
            return problem + " (over the first 200 noisy test images)"
    return None


def _psnr_by_hand(ns: Namespace) -> str | None:
    clean, out = ns["x_test"][:100], ns["x_test_denoised"][:100]
    by_hand = np.ravel(ns["psnr_by_hand"])  # (100,) or (100, 1) alike
    if (
        by_hand.shape != (len(clean),)
        or np.abs(by_hand - psnr(clean, out)).max() > 1e-3
    ):
        return "psnr_by_hand should hold one PSNR per image, equal to psnr()'s."
    return _close("mse_factor", ns["mse_factor"], 10**0.3, 0.01)


def _head_start(ns: Namespace) -> str | None:
    losses = list(ns["fresh_val_losses"])
    if len(losses) != ns["EPOCHS_CLEAN"] + 1:
        return (
            f"fresh_val_losses has {len(losses)} values: the fresh model trains "
            "EPOCHS_CLEAN + 1 epochs."
        )
    if not np.isfinite(ns["head_start_val_loss"]):
        return "head_start_val_loss is not a number."
    if ns["head_start_val_loss"] >= losses[0]:  # both after one noisy epoch
        return (
            "the head start is no better than the fresh model after one epoch: "
            "did it start from clean_weights?"
        )
    return None


def _clipping(ns: Namespace) -> str | None:
    clipped, unclipped = (
        {round(float(f), 3): float(db) for f, db in ns[name].items()}  # 0.4 or
        for name in ("clipped_psnr", "unclipped_psnr")  # np.float32(0.4) alike
    )
    for factor in (0.1, 0.2, 0.4, 0.8):
        if factor not in clipped or factor not in unclipped:
            return f"clipped_psnr and unclipped_psnr need the factor {factor}."
        formula = -20 * np.log10(factor)
        if (
            problem := _close(
                f"unclipped_psnr[{factor}]", unclipped[factor], formula, 0.1
            )
        ) is not None:
            return problem + " Unclipped noise follows the formula."
        if clipped[factor] <= unclipped[factor]:
            return f"clipped_psnr[{factor}] should be above the unclipped one."
    return None


def _bug(ns: Namespace) -> str | None:
    table = ns["bug"]
    if "from_clean" not in table or "from_noisy" not in table:
        return "bug should be a quality table with the rows from_noisy and from_clean."
    if table["from_clean"]["psnr"] <= table["from_noisy"]["psnr"]:
        return "from_clean scores no higher than from_noisy: was its input clean?"
    return None


def _width(ns: Namespace) -> str | None:
    model = ns["NoiseReducer"](widths=(32, 16))
    model.build((None, 28, 28, 1))
    if ns["predicted"] != model.count_params():
        return f"predicted is {ns['predicted']:,}; the wide model has another count."
    if set(ns["mean_score"]) != {(16, 8), (32, 16)}:
        return "mean_score needs one mean PSNR per widths: (16, 8) and (32, 16)."
    return None


def _salt_and_pepper(ns: Namespace) -> str | None:
    fast = {name: grid for name, (_, grid) in ns["FILTERS"].items() if name != "BM3D"}
    if set(ns["sp_best"]) != set(fast):
        return f"sp_best should have one entry per fast filter: {sorted(fast)}."
    for name, (score, knob) in ns["sp_best"].items():
        if knob not in fast[name] or not 5 < float(score) < 50:
            return f"sp_best[{name!r}] should be (its best PSNR in dB, its knob)."
    if np.ndim(ns["sp_unet_psnr"]) != 0 or not np.isfinite(ns["sp_unet_psnr"]):
        return "sp_unet_psnr should be one number: the U-Net's mean PSNR."
    return None


def _mixed(ns: Namespace) -> str | None:
    mixed, unet = ns["mixed"], ns["unet"]
    if mixed is unet:
        return "mixed is the U-Net itself: fine-tune a copy, and keep the original."
    if architecture(mixed) != architecture(unet):  # the weights' own layout check
        return "mixed should be a copy of the U-Net's architecture (clone_model)."
    same = all(
        np.array_equal(a, b)
        for a, b in zip(mixed.get_weights(), unet.get_weights(), strict=True)
    )
    return "mixed has the U-Net's weights: it was not fine-tuned." if same else None


def _swap(ns: Namespace) -> str | None:
    wanted = {"noisy input", "U-Net (clothes)", "photo network"}
    if set(ns["swap"]) != wanted:
        return f"swap should map each of {sorted(wanted)} to its images."
    clean = ns["x_test"][: len(ns["swap"]["noisy input"])]
    noisy, photo = (
        psnr(clean, ns["swap"][n]).mean() for n in ("noisy input", "photo network")
    )
    if full_quality() and photo <= noisy:
        return "the photo network's garments are no cleaner than the noisy input."
    return None


def _colour_photo(ns: Namespace) -> str | None:
    out, rgb, noisy = (np.asarray(ns[n]) for n in ("rgb_out", "rgb", "rgb_noisy"))
    if out.shape != rgb.shape:
        return f"rgb_out has shape {out.shape}; the photo has {rgb.shape}."
    if not np.isfinite(out).all() or out.min() < 0 or out.max() > 1:
        return "rgb_out should hold pixels in [0, 1]."
    cleaner = psnr(rgb[None], out[None])[0] > psnr(rgb[None], noisy[None])[0]
    if full_quality() and not cleaner:  # quick mode's short training may not be
        return "rgb_out is no cleaner than rgb_noisy."
    return None


EXERCISES = {
    "01.1": Exercise(
        ("megapixels", "grey_bytes", "colour_bytes"),
        _photo,
        "A megapixel is a million pixels. Grayscale keeps one byte per pixel, "
        "colour three: red, green and blue.",
    ),
    "01.2": Exercise(
        ("agreement",),
        _agreement,
        "Give the second model the first one's weights with the kernel's rows in "
        "the order of `permutation`, and call keras.utils.set_random_seed(SEED) "
        "before each fit so both see the batches in the same order.",
    ),
    "01.3": Exercise(
        ("colour",),
        _colour,
        "np.repeat(images, 3, axis=-1) repeats the last axis, the channel.",
    ),
    "02.1": Exercise(
        ("conv_size", "pool_size"),
        _sizes,
        "out = floor((n + 2p - k) / s) + 1, with p = 0 for 'valid'. "
        "compute_output_shape((None, 28, 28, 1)) asks Keras.",
    ),
    "02.2": Exercise(
        ("slash", "backslash"),
        _diagonals,
        "Put positive weights along the diagonal the stroke follows and negative "
        "ones elsewhere. Rows run top to bottom: / goes from the last row's first "
        "column to the first row's last. np.fliplr turns one into the other.",
    ),
    "02.3": Exercise(
        ("full_map", "skipped"),
        _strided,
        "Build both layers with the lesson's kernels (set_weights([kernels])) and "
        "padding 'valid'; full_map has stride 1, skipped stride 2.",
    ),
    "03.1": Exercise(
        ("mean_zeros", "dead_positions", "dead_channels"),
        _code_size,
        "codes == 0 is a boolean array (images, 4, 4, 8): .mean() is the share "
        "of zeros, .all(axis=0) asks 'zero for every image?' per position.",
    ),
    "03.2": Exercise(
        ("psnr_by_hand", "mse_factor"),
        _psnr_by_hand,
        "Per image: mse = mean over axes (1, 2, 3) of the squared difference, then "
        "10 * log10(1 / mse). +3 dB divides the MSE by 10 ** (3 / 10).",
    ),
    "03.3": Exercise(
        ("fresh_val_losses", "head_start_val_loss"),
        _head_start,
        "history.history['val_loss'] holds one value per epoch.",
    ),
    "04.1": Exercise(
        ("clipped_psnr", "unclipped_psnr"),
        _clipping,
        "Store {factor: mean PSNR in dB}. Add the unclipped noise yourself: "
        "images + f * tf.random.normal(images.shape). What does clipping do to "
        "noise added to a black pixel?",
    ),
    "04.2": Exercise(
        ("bug",),
        _bug,
        "quality_table(x_test, from_noisy=..., from_clean=...) with the model's "
        "output for the clean images x_test as from_clean.",
    ),
    "04.3": Exercise(
        ("predicted", "mean_score"),
        _width,
        "A Conv2D layer with k x k filters has k * k * inputs * outputs weights "
        "and one bias per output; add the five layers.",
    ),
    "05.1": Exercise(
        ("sp_best", "sp_unet_psnr"),
        _salt_and_pepper,
        "Noise validation images with random_noise(x, mode='s&p', amount=0.1), "
        "then tune each fast filter's knob over its grid, as the lesson did.",
    ),
    "05.2": Exercise(
        ("mixed",),
        _mixed,
        "keras.models.clone_model copies the architecture, set_weights the "
        "weights; compile and fit the copy.",
    ),
    "06.1": Exercise(
        ("swap",),
        _swap,
        "Denoise the first noisy test garments with each network (denoise()), "
        "and keep the noisy input as the baseline.",
    ),
    "06.2": Exercise(
        ("rgb", "rgb_noisy", "rgb_out"),
        _colour_photo,
        "np.moveaxis(photo, -1, 0)[..., None] makes three grey photos; denoise "
        "them, then move the channel axis back to the end.",
    ),
}


def _exercise(key: str) -> Exercise:
    """Return exercise ``key``, such as '02.1', or say which keys exist."""
    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; the exercises are {sorted(EXERCISES)}")
    return EXERCISES[key]


def check(key: str, namespace: Namespace | None = None, hint: bool = False) -> None:
    """Say whether exercise ``key``'s answer is right; if not, what is wrong and
    the hint. Reads the notebook's names (or ``namespace``); ``hint=True`` prints
    the hint first. With ``COURSE_SOLUTIONS=1`` a wrong answer is an error."""
    exercise = _exercise(key)
    if namespace is None:  # the notebook's names: those of the calling cell
        namespace = inspect.currentframe().f_back.f_globals
    if hint:
        print(f"Exercise {key}, hint: {exercise.hint}")
    missing = [name for name in exercise.names if name not in namespace]
    if missing:
        print(
            f"Exercise {key}: not answered yet. Define {', '.join(missing)} in "
            f"this cell, then run it again; check({key!r}, hint=True) gives a hint."
        )
        return
    try:
        problem = exercise.test(namespace)
    except Exception as error:  # a malformed answer: say what broke
        problem = f"the answer could not be checked ({type(error).__name__}: {error})"
    if problem is None:
        print(f"Exercise {key}: correct.")
        return
    message = f"Exercise {key}: not yet. {problem}\nHint: {exercise.hint}"
    if solutions_on():  # the tests run every solution: each must pass its check
        raise AssertionError(message)
    print(message + "\nThe solution is folded in the cell below.")
