"""Refreshing a DataTable in place: new rows, the cursor kept on the same position."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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
