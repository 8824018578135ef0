"""The speed probe says how this machine compares with the reference machine."""

import pytest

from helpers import speed


def test_slowdown_is_the_ratio_of_probe_times():
    assert speed.slowdown(0.51, reference_s=0.17) == pytest.approx(3.0)
    assert speed.slowdown(0.085, reference_s=0.17) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="positive"):
        speed.slowdown(0.0)


def test_a_slow_machine_is_told_how_long_its_trainings_take(monkeypatch):
    monkeypatch.delenv("COURSE_PRETRAINED", raising=False)
    probe = 3 * speed.REFERENCE_PROBE_S
    line = speed.describe_speed(training_s=120, probe_s=probe)
    assert "3.0x slower than the reference machine" in line
    assert "3-9 min here (about 2 min on the reference machine" in line
    assert "COURSE_PRETRAINED=1 skips them" in line


def test_a_fast_machine_and_a_machine_like_the_reference(monkeypatch):
    monkeypatch.delenv("COURSE_PRETRAINED", raising=False)
    fast = speed.describe_speed(training_s=60, probe_s=speed.REFERENCE_PROBE_S / 2)
    assert "2.0x faster" in fast and "15-45 s here (60 s on the reference" in fast
    same = speed.describe_speed(training_s=18, probe_s=speed.REFERENCE_PROBE_S)
    assert "about as fast as the reference machine" in same
    assert "10-25 s here" in same  # 9-27 s, rounded to 5 s


def test_pretrained_mode_says_the_trainings_are_skipped(monkeypatch):
    monkeypatch.setenv("COURSE_PRETRAINED", "1")
    line = speed.describe_speed(training_s=180, probe_s=2 * speed.REFERENCE_PROBE_S)
    assert "COURSE_PRETRAINED=1: the trainings are skipped" in line
    assert "3-9 min here" in line


def test_the_probe_is_the_median_of_its_timed_trainings(monkeypatch):
    """Three trainings timed at 5, 1 and 3 s give 3 s; the fit itself is skipped."""
    import keras

    fits = []
    monkeypatch.setattr(keras.Model, "fit", lambda self, *a, **k: fits.append(1))
    clock = iter([0.0, 5.0, 10.0, 11.0, 20.0, 23.0])
    monkeypatch.setattr(speed.time, "perf_counter", lambda: next(clock))
    assert speed.probe_seconds(repeats=3) == 3.0
    assert len(fits) == 4  # one untimed fit builds the graph, then three timed
    with pytest.raises(ValueError, match="repeats"):
        speed.probe_seconds(repeats=0)


def test_a_lesson_without_trained_weights_does_not_offer_them(monkeypatch):
    monkeypatch.setenv("COURSE_PRETRAINED", "1")
    line = speed.describe_speed(18, probe_s=speed.REFERENCE_PROBE_S, pretrained=False)
    assert "COURSE_PRETRAINED" not in line
    assert "The trainings below take 10-25 s here" in line
