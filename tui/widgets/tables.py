"""Filling a DataTable: in place with the cursor kept, or with columns fitted to the rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from textual.widgets import DataTable


def refill(table: DataTable, rows: Iterable[tuple[str, Sequence[Any]]]) -> int:
    """Replace the table's rows with (key, cells) pairs, keeping the cursor row where it can; return the count."""
    row = table.cursor_row
    table.clear()
    count = 0
    for key, cells in rows:
        table.add_row(*cells, key=key)
        count += 1
    if count:
        table.move_cursor(row=min(row, count - 1))
    return count


def fill_fitted(table: DataTable, labels: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Replace columns and rows, each column as wide as its widest cell or label.

    Fixed widths, not the table's auto width: that is measured on the table's next idle, which a table that
    receives no further message (rows added by the screen while nothing else happens) may never get.
    """
    table.clear(columns=True)
    for i, label in enumerate(labels):
        table.add_column(label, width=max([cell_len(label), *(cell_len(row[i]) for row in rows)]))
    for row in rows:
        table.add_row(*row)
