"""The HTML build executes a lesson and writes a page that holds its figures."""

import json
import re
from pathlib import Path

from helpers import html

ROOT = Path(__file__).resolve().parent.parent
# The cheapest lesson to execute; any lesson would do.
LESSON = min(
    (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"),
    key=lambda p: (not p.name.startswith("02_"), p.name),
)


def count_figure_cells(path: Path) -> int:
    """Count the code cells that draw a figure with plt.show()."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        "plt.show()" in "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    )


def test_html_page_holds_the_lessons_figures(tmp_path):
    assert html.main([str(LESSON), "--mode", "quick", "--out", str(tmp_path)]) == 0
    page = (tmp_path / f"{LESSON.stem}.html").read_text(encoding="utf-8")
    images = re.findall(r"<img[^>]+src=\"data:image/png;base64,", page)
    assert count_figure_cells(LESSON) > 0
    assert len(images) >= count_figure_cells(LESSON)
    assert "Learning objectives" in page
    assert "Traceback" not in page
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'href="{LESSON.stem}.html"' in index
