"""Health (3): every series' latest health, worst first; Enter drills in; r rescans as a run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, ProgressBar, Static

from kinetra import runs
from kinetra.data.health.scan import latest_reports
from tui.messages import HealthLoaded, RunProgressed
from tui.screens.base import KinetraScreen
from tui.screens.health_detail import HealthDetailScreen
from tui.widgets.health_format import issue_summary, score_text
from tui.widgets.run_follow import follow

COLUMNS = ("symbol", "tf", "broker", "score", "gaps (bars)", "holidays", "issues", "last bar (UTC)", "fresh")


class HealthScreen(KinetraScreen):
    """Latest health report per series with score, gaps, issues and freshness."""

    SCREEN_NAME = "Health"
    BINDINGS = [Binding("r", "rescan", "Rescan", id="health.rescan")]
    KEYS_EXTRA = (("enter", "Drill into the selected series"),)

    def __init__(self) -> None:
        super().__init__()
        self.reports: list[dict[str, Any]] = []

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Reading health…", id="health-caption", classes="section")
        yield DataTable(id="health", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="scan-bar", classes="hidden"):
            yield Static("", id="scan-status")
            yield ProgressBar(total=1.0, id="scan-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#health", DataTable).add_columns(*COLUMNS)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="health", exit_on_error=False)
    def load(self) -> None:
        """Read the latest reports off the UI thread."""
        self.post_message(HealthLoaded(latest_reports(self.store)))

    @on(HealthLoaded)
    def show(self, message: HealthLoaded) -> None:
        self.reports = message.reports
        table = self.query_one("#health", DataTable)
        table.clear()
        for i, rep in enumerate(self.reports):
            fresh = rep["freshness"]
            missing = sum(g["missing_bars"] for g in rep["gaps"])
            table.add_row(rep["symbol"], rep["timeframe"], rep["broker"], score_text(rep["score"]),
                          f"{len(rep['gaps'])} ({missing:,})", str(len(rep["holidays"])), issue_summary(rep),
                          (fresh["last_bar"] or "")[:16].replace("T", " "), "stale" if fresh["stale"] else "ok",
                          key=str(i))
        caption = (f"{len(self.reports)} series · last scan {self.reports[0]['scanned_at'][:16].replace('T', ' ')} UTC"
                   " · worst first · Enter drills in · r rescans") if self.reports else \
            "No health scan yet: press r to scan every series (or run `kinetra data health`)."
        self.query_one("#health-caption", Static).update(caption)

    @on(DataTable.RowSelected, "#health")
    def drill(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(HealthDetailScreen(self.reports[int(event.row_key.value)]))

    def action_rescan(self) -> None:
        """Scan every series as a background run and follow its progress."""
        self.query_one("#scan-bar").remove_class("hidden")
        self.query_one("#scan-status", Static).update("starting health scan…")
        self.rescan()

    @work(thread=True, exclusive=True, group="health-scan", exit_on_error=False)
    def rescan(self) -> None:
        follow(self.store, runs.start(self.store, "health", {}), self.post_message)

    @on(RunProgressed)
    def scan_progressed(self, message: RunProgressed) -> None:
        rec = message.run
        self.query_one("#scan-progress", ProgressBar).update(progress=rec.progress)
        self.query_one("#scan-status", Static).update(f"health scan {rec.id}: {rec.status} {rec.message or ''}")
        if rec.status == "succeeded":
            self.load()
        elif rec.status in ("failed", "cancelled"):
            self.notify(rec.error or rec.status, title=f"Health scan {rec.status}", severity="error")
