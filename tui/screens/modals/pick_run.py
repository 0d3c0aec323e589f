"""Pick the run to compare a test run with: the other succeeded test runs, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from tui.widgets.tests_format import TEST_RUN_COLUMNS, run_label, suite_run_cells


class PickRunModal(ModalScreen[str | None]):
    """Dismiss with the chosen run's id (Enter), or None (Escape)."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="pick.cancel")]

    def __init__(self, run_a: Any, others: list[Any], now: datetime) -> None:
        super().__init__()
        self.run_a = run_a
        self.others = others
        self.at = now

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog", classes="dialog"):
            yield Label(f"[b]Compare[/b] {run_label(self.run_a, self.at)} with… (Enter picks, Escape cancels)")
            yield DataTable(id="pick", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#pick", DataTable)
        table.add_columns(*TEST_RUN_COLUMNS)
        for rec in self.others:
            table.add_row(*suite_run_cells(rec, self.at), key=rec.id)

    @on(DataTable.RowSelected, "#pick")
    def picked(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))
