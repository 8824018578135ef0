"""Results tables and key figures: how every lesson prints what it measured.

``print_table`` prints a results table, one row per method or model. A notebook
ends with ``key_figures = report({...})``; ``make bench`` reads that variable after
running the notebook in full mode.
"""

from __future__ import annotations

from collections.abc import Mapping

from helpers.mode import PRETRAINED_VARIABLE, use_pretrained

Row = Mapping[str, float | int | str]


def format_table(
    rows: Mapping[str, Row],
    formats: Mapping[str, str] | None = None,
    label: str = "",
) -> str:
    """Return ``{row name: {column: value}}`` as aligned text, one line per row.

    ``formats`` maps a column to a format spec such as ``".2f"``; other floats get
    four significant digits. The columns are the first row's keys, in order.
    """
    if not rows:
        raise ValueError("rows is empty; pass {'median': {'PSNR (dB)': 15.0}, ...}")
    formats = dict(formats or {})
    columns = list(next(iter(rows.values())))
    for name, row in rows.items():
        if list(row) != columns:
            raise ValueError(
                f"row {name!r} has columns {list(row)}, the first row has {columns}"
            )

    def shown(column: str, value: float | int | str) -> str:
        if column in formats:
            return format(value, formats[column])
        if isinstance(value, float):
            return f"{value:.4g}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    cells = {name: [shown(c, row[c]) for c in columns] for name, row in rows.items()}
    first = max(len(label), *(len(name) for name in rows))
    widths = [
        max(len(column), *(len(line[i]) for line in cells.values()))
        for i, column in enumerate(columns)
    ]

    def line(first_cell: str, values: list[str]) -> str:
        padded = (f"{v:>{w}}" for v, w in zip(values, widths, strict=True))
        return "  ".join([f"{first_cell:<{first}}", *padded])

    lines = [line(label, columns)]
    lines += [line(name, values) for name, values in cells.items()]
    return "\n".join(lines)


def print_table(
    rows: Mapping[str, Row],
    formats: Mapping[str, str] | None = None,
    label: str = "",
) -> None:
    """Print a results table: ``{row name: {column: value}}``, one line per row."""
    print(format_table(rows, formats, label))


def report(
    figures: Mapping[str, float | int | str], pretrained: bool = True
) -> dict[str, float | int | str]:
    """Print the figures a lesson measured as an aligned table and return them.

    ``pretrained`` says whether the lesson loads trained weights when asked to.
    """
    if not figures:
        raise ValueError("figures is empty; pass a dict like {'PSNR (dB)': 18.9}")
    if use_pretrained() and pretrained:
        print(
            f"{PRETRAINED_VARIABLE}=1: the trainings' steps, epochs and seconds below "
            "are those of the reference run that made the weights; this run measured "
            "the rest."
        )
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {shown}")
    return dict(figures)
