"""Two test runs side by side, candidate by candidate: key figures in each, and verdicts that changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kinetra.research.results import compare_runs
from tui.messages import ComparisonLoaded
from tui.screens.base import KinetraScreen
from tui.widgets.tests_format import COMPARE_COLUMNS, compare_cells, run_label


class CompareScreen(KinetraScreen):
    """The comparison table of runs A and B; a changed verdict is marked with *."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="compare.back")]

    def __init__(self, run_a: Any, run_b: Any) -> None:
        super().__init__()
        self.run_a, self.run_b = run_a, run_b
        self.SCREEN_NAME = f"Test Runs · {run_a.id} vs {run_b.id}"

    def compose_body(self) -> Iterable[Widget]:
        yield Static(f"A = {run_label(self.run_a, self.now())} · B = {run_label(self.run_b, self.now())}",
                     id="compare-runs", classes="section")
        yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield Static("Reading both runs…", id="compare-note")

    def on_mount(self) -> None:
        self.query_one("#compare", DataTable).add_columns(*COMPARE_COLUMNS)
        self.load()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def load(self) -> None:
        """Match both runs' candidates off the UI thread."""
        self.post_message(ComparisonLoaded(compare_runs(self.store, self.run_a.id, self.run_b.id)))

    @on(ComparisonLoaded)
    def show(self, message: ComparisonLoaded) -> None:
        table = self.query_one("#compare", DataTable)
        table.clear()
        for row in message.rows:
            table.add_row(*compare_cells(row), key=row["candidate"])
        changed = sum(row["changed"] for row in message.rows)
        self.query_one("#compare-note", Static).update(
            f"{len(message.rows)} candidates · {changed} verdicts changed (*) · - : not in that run · Escape: back")
