"""The HTML build executes a lesson and writes a page that holds its figures, each
with a text description (alt text); the lessons draw figures everyone can read."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from helpers.data import DataUnavailableError, find_source
from tools import html, lessons

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lessons()
# The cheapest lesson to execute; any lesson would do.
LESSON = min(LESSONS, key=lambda p: (not p.name.startswith("02_"), p.name))
# Lessons being rewritten, which do not draw their figures through show() yet.
NBCONVERT_DEFAULT = "No description has been provided for this image"
# Gray for images; perceptually uniform sequential maps for feature maps and codes;
# diverging maps that stay readable with colour-vision deficiencies for signed maps.
READABLE_CMAPS = {"gray", "Greys", "viridis", "cividis", "RdBu_r", "RdBu", "PuOr"}
SHOW = re.compile(r"(?<![\w.])show\(")  # helpers.plotting.show, not plt.show


def code_of(path: Path) -> list[str]:
    """Return the source of each code cell of a notebook."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def count_figure_cells(path: Path) -> int:
    """Count the code cells that draw a figure with show(fig, alt)."""
    return sum(bool(SHOW.search(source)) for source in code_of(path))


class Images(HTMLParser):
    """Collect the attributes of every <img> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images_of(page: str) -> list[dict[str, str | None]]:
    parser = Images()
    parser.feed(page)
    return parser.images


def missing_descriptions(page: str) -> list[str]:
    """Return the start of the src of each image without a real alt text."""
    return [
        (image.get("src") or "")[:60]
        for image in images_of(page)
        if not (image.get("alt") or "").strip() or image["alt"] == NBCONVERT_DEFAULT
    ]


def test_html_page_holds_the_lessons_figures_each_with_a_description(tmp_path):
    try:
        find_source("mnist")  # lesson 02 draws MNIST digits
    except DataUnavailableError as error:
        pytest.skip(f"MNIST is not on this machine: {error}")
    assert html.main([str(LESSON), "--mode", "quick", "--out", str(tmp_path)]) == 0
    page = (tmp_path / f"{LESSON.stem}.html").read_text(encoding="utf-8")
    figures = [
        image
        for image in images_of(page)
        if (image.get("src") or "").startswith("data:image/png;base64,")
    ]
    assert count_figure_cells(LESSON) > 0
    assert len(figures) >= count_figure_cells(LESSON)
    assert missing_descriptions(page) == []
    assert all(len(image["alt"].split()) >= 8 for image in figures), [
        image["alt"] for image in figures
    ]  # a sentence, not a label
    assert "Learning objectives" in page
    assert "Traceback" not in page
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'href="{LESSON.stem}.html"' in index


def figure_output(metadata: dict) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "display_data",
        data={"image/png": "iVBORw0KGgo=", "text/plain": "a figure"},
        metadata=metadata,
    )


def test_the_exporter_writes_the_outputs_alt_text_on_its_image():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(fig, alt=...)")
    cell.outputs = [
        figure_output({"image/png": {"alt": 'Loss against epoch: "falls" <fast>'}}),
        figure_output({}),
    ]
    notebook.cells = [cell]
    page, _ = html.exporter().from_notebook_node(notebook)
    described, undescribed = images_of(page)
    assert described["alt"] == 'Loss against epoch: "falls" <fast>'  # escaped, intact
    assert undescribed["alt"] == NBCONVERT_DEFAULT  # what the page test catches
    assert "jp-RenderedImage" in page  # still nbconvert's lab template


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem[:2])
def test_every_figure_goes_out_with_a_description(lesson):
    plain = [source for source in code_of(lesson) if "plt.show()" in source]
    assert plain == [], "draw figures with show(fig, alt) from helpers.plotting"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem[:2])
def test_colour_maps_are_readable_with_colour_vision_deficiencies(lesson):
    cmaps = set(re.findall(r"cmap\s*=\s*[\"'](\w+)[\"']", "\n".join(code_of(lesson))))
    assert cmaps <= READABLE_CMAPS, f"use viridis, cividis or gray: {cmaps}"
