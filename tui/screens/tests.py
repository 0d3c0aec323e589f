"""Test Runs (4): suite runs live, a new run from a preset or a form, results with verdicts, evidence, compare.

A suite runs as a run of kind `test` in its own process, so it outlives this screen and the TUI;
the screen starts, cancels and resumes runs, and reads their results from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kinetra import runs
from kinetra.research.results import candidate_rows
from tui.messages import CandidatesLoaded, SuiteRunStarted
from tui.screens.backtest import QuickBacktestScreen
from tui.screens.candidate import CandidateScreen
from tui.screens.compare import CompareScreen
from tui.screens.modals.new_test import NewTestModal
from tui.screens.modals.pick_run import PickRunModal
from tui.screens.runs_view import RunsScreen
from tui.widgets.tables import refill
from tui.widgets.tests_format import (RESULT_COLUMNS, TEST_RUN_COLUMNS, candidate_line, results_caption, result_cells,
                                      sort_rows, suite_run_cells)

DEFAULT_SORT = 2
"""Sharpe, best first."""


class TestRunsScreen(RunsScreen):
    """Test runs with progress; the selected run's results, sortable, with the evidence one key away."""

    __test__ = False  # not a pytest class, whatever its name
    SCREEN_NAME = "Test Runs"
    KINDS = ("test",)
    COLUMNS = TEST_RUN_COLUMNS
    EMPTY_HINT = "No test run yet: n starts one (the quick preset takes about a minute on the demo data)."
    BINDINGS = [
        Binding("n", "new_run", "New run", tooltip="Start a test run from a preset, as it is or adjusted",
                id="tests.new"),
        *RunsScreen.BINDINGS,
        Binding("R", "resume_run", "Resume", tooltip="Resume a cancelled or failed run (finished jobs are kept)",
                key_display="R", id="tests.resume"),
        Binding("c", "compare", "Compare", tooltip="Compare the run with another, candidate by candidate",
                id="tests.compare"),
        Binding("s", "sort", "Sort", tooltip="Sort the results by the next column", id="tests.sort"),
        Binding("S", "reverse_sort", "Reverse", tooltip="Reverse the results' sort order", key_display="S",
                show=False, id="tests.reverse"),
        Binding("b", "backtest", "Backtest", tooltip="Quick backtest of one agent on one series",
                id="tests.backtest"),
    ]
    KEYS_EXTRA = (("enter", "Runs table: the run's detail · results table: the candidate's evidence"),
                  ("tab", "Move between the runs and the results table"),
                  ("click", "A results column header sorts by that column (again: reverses)"))

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, Any] = {}
        self.shown: tuple[str, str] | None = None
        """(run id, status) whose results the table holds."""
        self.rows: list[dict[str, Any]] = []
        self.sort = (DEFAULT_SORT, RESULT_COLUMNS[DEFAULT_SORT][2])
        self.focus_run: str | None = None

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Test runs · n new · x cancels · R resumes · c compares · b quick backtest"
                     " · Enter: run detail", classes="section")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static(self.EMPTY_HINT, id="empty-hint", classes="note")
        yield Static("", id="results-caption", classes="section")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static("", id="candidate-line")

    def on_mount(self) -> None:  # RunsScreen.on_mount runs too (Textual dispatches along the MRO)
        self.query_one("#results", DataTable).add_columns(*(label for label, _, _ in RESULT_COLUMNS))

    def run_cells(self, rec: Any, now: datetime) -> tuple[Any, ...]:
        return suite_run_cells(rec, now)

    # --- the runs and the selected run's results -------------------------------------------------

    def runs_shown(self, recs: list[Any]) -> None:
        """Remember the records; put the cursor on a just-started run; follow the selection."""
        self.records = {rec.id: rec for rec in recs}
        table = self.query_one("#runs", DataTable)
        if self.focus_run and self.focus_run in self.records:
            table.move_cursor(row=table.get_row_index(self.focus_run))
            self.focus_run = None
        self.selection_changed()

    @on(DataTable.RowHighlighted, "#runs")
    def selection_changed(self) -> None:
        """Load the selected run's results when it (or its status) changed; keep its caption current."""
        rec = self.records.get(self._selected() or "")
        key = (rec.id, rec.status) if rec else None
        if key != self.shown:
            self.shown = key
            self.rows = []
            self.fill_results()
            if rec is not None and rec.status == "succeeded":
                self.load_results(rec.id)
        self.query_one("#results-caption", Static).update(results_caption(rec, self.rows, self.sort))

    @work(thread=True, exclusive=True, group="test-results", exit_on_error=False)
    def load_results(self, run_id: str) -> None:
        """Read a finished run's candidates off the UI thread."""
        self.post_message(CandidatesLoaded(run_id, candidate_rows(self.store, run_id)))

    @on(CandidatesLoaded)
    def results_loaded(self, message: CandidatesLoaded) -> None:
        if self.shown and self.shown[0] == message.run_id:
            self.rows = message.rows
            self.fill_results()

    def fill_results(self) -> None:
        """Redraw the results in the current sort order, the cursor staying on the same candidate."""
        table = self.query_one("#results", DataTable)
        current = self._candidate()
        _, key, _ = RESULT_COLUMNS[self.sort[0]]
        ordered = sort_rows(self.rows, key, self.sort[1])
        refill(table, ((row["candidate"], result_cells(row)) for row in ordered))
        if current and current["candidate"] in table.rows:
            table.move_cursor(row=table.get_row_index(current["candidate"]))
        self.query_one("#results-caption", Static).update(
            results_caption(self.records.get(self.shown[0]) if self.shown else None, self.rows, self.sort))
        self.show_candidate()

    def _candidate(self) -> dict[str, Any] | None:
        table = self.query_one("#results", DataTable)
        if not table.row_count:
            return None
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((row for row in self.rows if row["candidate"] == name), None)

    @on(DataTable.RowHighlighted, "#results")
    def show_candidate(self) -> None:
        """Describe the candidate under the cursor in full: intervals, p and the tests it failed."""
        row = self._candidate()
        self.query_one("#candidate-line", Static).update(candidate_line(row) if row else "")

    # --- sorting -----------------------------------------------------------------------------------

    def action_sort(self) -> None:
        """Sort the results by the next column, best first."""
        column = (self.sort[0] + 1) % len(RESULT_COLUMNS)
        self.sort = (column, RESULT_COLUMNS[column][2])
        self.fill_results()

    def action_reverse_sort(self) -> None:
        """Reverse the results' order."""
        self.sort = (self.sort[0], not self.sort[1])
        self.fill_results()

    @on(DataTable.HeaderSelected, "#results")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        """Sort by the clicked column, best first; a second click reverses."""
        column = event.column_index
        self.sort = (column, not self.sort[1]) if column == self.sort[0] else (column, RESULT_COLUMNS[column][2])
        self.fill_results()

    # --- actions -----------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#results")
    def open_candidate(self, event: DataTable.RowSelected) -> None:
        """Open the selected candidate's evidence: equity and drawdown, trades, Monte Carlo histogram."""
        if self.shown:
            self.app.push_screen(CandidateScreen(self.shown[0], str(event.row_key.value)))

    def action_new_run(self) -> None:
        """Ask for a suite (a preset, adjusted or not) and start it as a background run."""
        self.app.push_screen(NewTestModal(), callback=self._suite_chosen)

    def _suite_chosen(self, suite: dict[str, Any] | None) -> None:
        if suite is not None:
            self.start_run(suite)

    @work(thread=True, group="test-start", exit_on_error=False)
    def start_run(self, suite: dict[str, Any]) -> None:
        """Create the run and spawn its worker process; the run lives on if the TUI closes."""
        run_id = runs.start(self.store, "test", {"suite": suite}, seed=suite["seed"], settings=self.kapp.settings)
        self.post_message(SuiteRunStarted(run_id, suite["name"]))

    @on(SuiteRunStarted)
    def run_started(self, message: SuiteRunStarted) -> None:
        self.notify(f"test run {message.run_id} started: {message.suite} (x cancels, R resumes)")
        self.focus_run = message.run_id
        self.query_one("#runs", DataTable).focus()
        self.load()

    def action_resume_run(self) -> None:
        """Resume the selected cancelled or failed run: its finished jobs are kept."""
        if run_id := self._selected():
            self.resume_run(run_id)

    @work(thread=True, group="test-resume", exit_on_error=False)
    def resume_run(self, run_id: str) -> None:
        """Queue the run again and spawn its worker; a run that cannot resume says why (a notification)."""
        rec = runs.resume(self.store, run_id)
        self.app.call_from_thread(self.notify, f"run {rec.id} resumed ({rec.status}): finished jobs are kept")
        self.load()

    def action_compare(self) -> None:
        """Compare the selected finished run with another one, candidate by candidate."""
        rec = self.records.get(self._selected() or "")
        if rec is None or rec.status != "succeeded":
            self.notify("select a succeeded test run to compare", severity="warning")
            return
        others = [r for r in self.records.values() if r.status == "succeeded" and r.id != rec.id]
        if not others:
            self.notify("no other succeeded test run to compare with: n starts one", severity="warning")
            return
        self.app.push_screen(PickRunModal(rec, others, self.now()),
                             callback=lambda other: self._compare(rec, other))

    def _compare(self, rec: Any, other: str | None) -> None:
        if other is not None:
            self.app.push_screen(CompareScreen(rec, self.records[other]))

    def action_backtest(self) -> None:
        """Open the quick backtest, set to the highlighted candidate's agent, params and series when there is one."""
        row = self._candidate()
        if row is None:
            self.app.push_screen(QuickBacktestScreen())
            return
        self.app.push_screen(QuickBacktestScreen(series_label=row["series"], agent=row["agent"],
                                                 params=row["params"] if row["kind"] == "config" else None))
