"""The instructor guide's schedules add up, and the course map matches the lessons."""

import re
from pathlib import Path

import nbformat
import pytest

from tools import lessons

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
LESSONS = lessons()
MODES = {"full", "quick", "pretrained", "quick + pretrained", "–"}
HEADING = re.compile(r"^### (\d+) (minutes|hours?)\b.*$", re.M)


def schedules() -> dict[str, tuple[int, list[list[str]]]]:
    """Each schedule's heading, its length in minutes and its table's rows."""
    found = {}
    for match in HEADING.finditer(GUIDE):
        length = int(match[1]) * (60 if match[2].startswith("hour") else 1)
        rest = GUIDE[match.end() :]
        table = re.search(r"\n((?:\|.*\|\n)+)", rest)
        assert table, f"{match[0]}: no table below the heading"
        lines = table[1].strip().splitlines()[2:]  # drop the header and its rule
        rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
        found[match[0]] = (length, rows)
    return found


def minutes(clock: str) -> int:
    """'1:35' -> 95."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def test_the_guide_has_a_90_minute_and_a_3_hour_schedule():
    lengths = sorted(length for length, _ in schedules().values())
    assert lengths == [90, 180], lengths


@pytest.mark.parametrize("heading", list(schedules()))
def test_each_schedule_adds_up_to_its_length(heading):
    length, rows = schedules()[heading]
    clock = 0
    for start, duration, what, mode in rows:
        assert minutes(start) == clock, f"{heading}: {what!r} starts at {start}"
        assert int(duration) > 0
        assert mode in MODES, f"{heading}: mode {mode!r} for {what!r}"
        if mode != "–":  # a teaching slot names its lesson and sections
            assert re.search(r"lesson 0\d", what), f"{heading}: which lesson? {what!r}"
        clock += int(duration)
    assert clock == length, f"{heading}: the rows add up to {clock} min, not {length}"


def test_the_90_minute_schedule_reaches_a_working_denoiser():
    ((length, rows),) = [s for s in schedules().values() if s[0] == 90]
    taught = " ".join(row[2] for row in rows)
    assert "lesson 04" in taught or "lesson 03" in taught


def test_the_course_map_lists_every_lesson_with_the_headers_time():
    for path in LESSONS:
        header = nbformat.read(path, as_version=4).cells[0].source
        teach, exercises = re.search(
            r"\*\*Time\*\*: about (\d+) min teaching \+ (\d+) min exercises", header
        ).groups()
        row = re.search(rf"^\| {path.name[:2]} \|.*$", GUIDE, flags=re.M)
        assert row, f"the course map has no row for lesson {path.name[:2]}"
        assert f"{teach} + {exercises} min" in row[0], (
            f"lesson {path.name[:2]}: the header says {teach} + {exercises} min, "
            f"the guide's course map says {row[0]}"
        )
