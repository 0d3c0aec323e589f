"""One job's executions, newest first: times, attempt, trigger, status, run id, summary or error."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from kinetra import runs
from kinetra.jobs.launch import history
from tui.messages import JobHistoryLoaded
from tui.screens.base import ReportsWorkerErrors
from tui.screens.modals.run_detail import RunDetailModal
from tui.widgets.jobs_format import HISTORY_COLUMNS, history_detail, history_row
from tui.widgets.tables import refill

REFRESH_SECONDS = 1.0
LIMIT = 50


class JobHistoryModal(ReportsWorkerErrors, ModalScreen[None]):
    """A live table of one job's executions; Enter opens the selected execution's run."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="history.close")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.job_name = name
        self.items: dict[str, dict] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="history-dialog", classes="dialog"):
            yield Label(f"[b]History of {self.job_name}[/b] · newest first · Enter opens the run · Escape closes")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield Static("", id="history-detail")
            yield Static("Reading…", id="history-note", classes="note")

    def on_mount(self) -> None:
        self.query_one("#history", DataTable).add_columns(*HISTORY_COLUMNS)
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="job-history", exit_on_error=False)
    def load(self) -> None:
        """Read the job's executions off the UI thread."""
        self.post_message(JobHistoryLoaded(history(self.app.store, self.job_name, limit=LIMIT)))

    @on(JobHistoryLoaded)
    def show(self, message: JobHistoryLoaded) -> None:
        self.items = {item["id"]: item for item in message.items}
        refill(self.query_one("#history", DataTable), ((item["id"], history_row(item)) for item in message.items))
        self.query_one("#history-note", Static).update(
            "" if message.items else f"{self.job_name} has not run yet: r on the jobs table runs it now.")
        self.show_detail()

    @on(DataTable.RowHighlighted, "#history")
    def show_detail(self) -> None:
        """Show the execution under the cursor in full (the table clips long errors)."""
        table = self.query_one("#history", DataTable)
        item = self.items.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) \
            if table.row_count else None
        self.query_one("#history-detail", Static).update(history_detail(item) if item else "")

    @on(DataTable.RowSelected, "#history")
    def open_run(self, event: DataTable.RowSelected) -> None:
        run_id = str(self.query_one("#history", DataTable).get_row(event.row_key)[5])
        if run_id:
            self.open_detail(run_id)

    @work(thread=True, group="job-history-run", exit_on_error=False)
    def open_detail(self, run_id: str) -> None:
        rec = runs.get(self.app.store, run_id).to_json()
        rec.pop("config_snapshot", None)
        self.app.call_from_thread(self.app.push_screen, RunDetailModal(rec, runs.events(self.app.store, run_id)))
