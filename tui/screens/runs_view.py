"""Shared base of screens that list runs of some kinds: status, progress, cancel, detail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kinetra import runs
from tui.messages import RunsLoaded
from tui.screens.base import KinetraScreen
from tui.screens.modals.run_detail import RunDetailModal
from tui.widgets.runs_format import RUN_COLUMNS, fill_runs, run_cells

REFRESH_SECONDS = 1.0


class RunsScreen(KinetraScreen):
    """Runs of `KINDS` (all kinds when empty), refreshed live."""

    KINDS: tuple[str, ...] = ()
    EMPTY_HINT = ""
    COLUMNS: tuple[str, ...] = RUN_COLUMNS
    BINDINGS = [Binding("x", "cancel_run", "Cancel run", id="runs.cancel")]
    KEYS_EXTRA = (("enter", "Show the selected run's detail"),)

    def compose_body(self) -> Iterable[Widget]:
        scope = ", ".join(self.KINDS) if self.KINDS else "all kinds"
        yield Static(f"Runs: {scope} · x cancels · Enter shows detail", classes="section")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static(self.EMPTY_HINT, id="empty-hint", classes="note")

    def on_mount(self) -> None:
        self.query_one("#runs", DataTable).add_columns(*self.COLUMNS)
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="runs", exit_on_error=False)
    def load(self) -> None:
        """Read the runs off the UI thread."""
        self.post_message(RunsLoaded(runs.list_runs(self.store, limit=100, kinds=self.KINDS)))

    @on(RunsLoaded)
    def show(self, message: RunsLoaded) -> None:
        fill_runs(self.query_one("#runs", DataTable), message.runs, self.now(), self.run_cells)
        self.query_one("#empty-hint", Static).display = not message.runs
        self.runs_shown(message.runs)

    def runs_shown(self, recs: list[Any]) -> None:
        """Called after the runs table was refilled with `recs` (nothing to do here)."""

    def run_cells(self, rec: Any, now: datetime) -> tuple[Any, ...]:
        """Cells of one run in COLUMNS order."""
        return run_cells(rec, now)

    def _selected(self) -> str | None:
        table = self.query_one("#runs", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_cancel_run(self) -> None:
        """Ask the selected run to stop."""
        run_id = self._selected()
        if run_id:
            self.cancel(run_id)

    @work(thread=True, group="runs-cancel", exit_on_error=False)
    def cancel(self, run_id: str) -> None:
        rec = runs.cancel(self.store, run_id)
        text = f"run {run_id}: already {rec.status}" if rec.status in runs.FINISHED else f"run {run_id}: cancel requested"
        self.app.call_from_thread(self.notify, text)
        self.load()

    @on(DataTable.RowSelected, "#runs")
    def show_run(self) -> None:
        """Open the selected run's detail."""
        run_id = self._selected()
        if run_id:
            self.open_detail(run_id)

    @work(thread=True, group="runs-detail", exit_on_error=False)
    def open_detail(self, run_id: str) -> None:
        rec = runs.get(self.store, run_id).to_json()
        rec.pop("config_snapshot", None)
        events = runs.events(self.store, run_id)
        self.app.call_from_thread(self.app.push_screen, RunDetailModal(rec, events))
