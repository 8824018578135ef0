"""Results tables and key figures print aligned, and refuse malformed input."""

import pytest

from helpers.report import format_table, report


def test_table_aligns_columns_and_applies_formats():
    text = format_table(
        {
            "median": {"PSNR (dB)": 15.004, "images": 1000},
            "U-Net": {"PSNR (dB)": 20.3, "images": 50},
        },
        {"PSNR (dB)": ".2f"},
        label="method",
    )
    lines = text.splitlines()
    assert lines[0].split() == ["method", "PSNR", "(dB)", "images"]
    assert lines[1].split() == ["median", "15.00", "1,000"]
    assert lines[2].split() == ["U-Net", "20.30", "50"]
    assert len({len(line) for line in lines}) == 1  # every line the same width


def test_table_refuses_rows_with_other_columns():
    with pytest.raises(ValueError, match="row 'b' has columns"):
        format_table({"a": {"x": 1}, "b": {"y": 2}})
    with pytest.raises(ValueError, match="rows is empty"):
        format_table({})


def test_report_returns_the_figures(capsys):
    assert report({"PSNR (dB)": 18.91, "epochs": 3}) == {
        "PSNR (dB)": 18.91,
        "epochs": 3,
    }
    assert capsys.readouterr().out.splitlines() == ["PSNR (dB)  18.91", "epochs     3"]


def test_key_figures_say_whose_training_figures_they_are(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PRETRAINED", "1")
    report({"PSNR (dB)": 18.9})
    assert "reference run that made the weights" in capsys.readouterr().out
    report({"PSNR (dB)": 18.9}, pretrained=False)  # a lesson without weights
    assert "reference run" not in capsys.readouterr().out
    monkeypatch.setenv("COURSE_PRETRAINED", "0")
    report({"PSNR (dB)": 18.9})
    assert "reference run" not in capsys.readouterr().out
