"""The run mode is read from one environment variable, in one place."""

import pytest

from helpers import mode


def test_full_is_the_default(monkeypatch):
    monkeypatch.delenv(mode.MODE_VARIABLE, raising=False)
    assert mode.run_mode() == "full"
    assert mode.pick(full=10, quick=1) == 10
    assert "full" in mode.describe()


def test_quick_mode_picks_the_quick_value(monkeypatch):
    monkeypatch.setenv(mode.MODE_VARIABLE, " Quick ")
    assert mode.is_quick()
    assert mode.pick(full=10, quick=1) == 1
    assert "quick" in mode.describe()


def test_unknown_mode_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv(mode.MODE_VARIABLE, "fast")
    with pytest.raises(ValueError, match=r"COURSE_MODE is 'fast'.*'full', 'quick'"):
        mode.run_mode()


def test_the_mode_line_does_not_promise_weights_a_lesson_lacks(monkeypatch):
    monkeypatch.setenv("COURSE_PRETRAINED", "1")
    assert "training cells load" in mode.describe()
    line = mode.describe(pretrained=False)
    assert "changes nothing here" in line and "training cells load" not in line
    monkeypatch.setenv("COURSE_PRETRAINED", "0")
    assert "COURSE_PRETRAINED" not in mode.describe(pretrained=False)


def test_every_yes_no_variable_reads_the_same_words(monkeypatch):
    """COURSE_PRETRAINED and COURSE_ALLOW_MNIST_STANDIN agree on what means yes."""
    from helpers import _sources

    for word, expected in [("on", True), ("Yes", True), ("1", True), ("0", False)]:
        monkeypatch.setenv("COURSE_PRETRAINED", word)
        monkeypatch.setenv("COURSE_ALLOW_MNIST_STANDIN", word)
        assert mode.use_pretrained() is expected
        assert _sources.standin_allowed() is expected
