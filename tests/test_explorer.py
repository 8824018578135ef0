"""The explorer's drawing and scoring function, called as the lesson calls it."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.explorer import describe, explore, explorer, make_noisy

IMAGES = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
DENOISERS = {
    "noisy input": lambda noisy: noisy,
    "all grey": lambda noisy: np.full_like(noisy, 0.5),
}


@pytest.mark.parametrize("gaussian, salt_pepper", [(0.4, 0.0), (0.1, 0.05), (0.8, 0.3)])
def test_explore_draws_three_panels_and_scores_them(gaussian, salt_pepper):
    fig, scores = explore(
        IMAGES, DENOISERS, gaussian=gaussian, salt_pepper=salt_pepper, image=2
    )
    assert len(fig.axes) == 3
    assert [ax.get_title().splitlines()[0] for ax in fig.axes] == [
        "noisy",
        "noisy input",
        "clean",
    ]
    # The identity "denoiser" scores exactly what its noisy input scores.
    assert scores["denoised PSNR"] == pytest.approx(scores["noisy PSNR"])
    assert scores["seconds"] >= 0
    plt.close(fig)


def test_more_noise_scores_lower():
    low = explore(IMAGES, DENOISERS, gaussian=0.1)[1]["noisy PSNR"]
    high = explore(IMAGES, DENOISERS, gaussian=0.8)[1]["noisy PSNR"]
    assert high < low - 5
    plt.close("all")


def test_no_noise_is_a_perfect_copy_and_salt_pepper_sets_black_or_white():
    clean = IMAGES[:1]
    assert np.array_equal(make_noisy(clean, 0.0, 0.0), clean)
    dotted = make_noisy(clean, 0.0, 0.2, seed=1)
    changed = dotted != clean
    assert 0.1 < changed.mean() < 0.3
    assert set(np.unique(dotted[changed])) <= {0.0, 1.0}


def test_the_chosen_denoiser_is_the_one_drawn():
    fig, scores = explore(IMAGES, DENOISERS, gaussian=0.4, denoiser="all grey")
    assert fig.axes[1].get_title().startswith("all grey")
    assert "all grey" in describe(scores, "all grey", 0)
    plt.close(fig)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"denoiser": "BM4D"}, "expected one of"),
        ({"gaussian": 0.9}, "gaussian must be"),
        ({"salt_pepper": -0.1}, "salt_pepper must be"),
        ({"image": 3}, "image must be from 0 to 2"),
    ],
)
def test_bad_settings_are_refused_with_what_is_allowed(settings, message):
    with pytest.raises(ValueError, match=message):
        explore(IMAGES, DENOISERS, **{"gaussian": 0.4, **settings})


def test_the_noise_level_is_the_lessons_to_pass():
    """No hidden default: a lesson that changes its noise level cannot miss this."""
    with pytest.raises(TypeError, match="gaussian"):
        explore(IMAGES, DENOISERS)
    with pytest.raises(TypeError, match="gaussian"):
        explorer(IMAGES, DENOISERS)


def test_explorer_outside_a_notebook_shows_the_default_view():
    scores = explorer(IMAGES, DENOISERS, gaussian=0.2)
    assert set(scores) >= {"noisy PSNR", "denoised PSNR", "seconds"}
