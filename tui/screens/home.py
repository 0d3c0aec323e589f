"""Home (1): what the store holds and what ran lately."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kinetra import runs
from kinetra.data.health.scan import latest_reports
from kinetra.data.inventory import summary
from kinetra.errors import ConfigError
from kinetra.jobs import daemon, scheduler
from tui.messages import JobsLoaded, SummaryLoaded
from tui.screens.base import KinetraScreen
from tui.widgets.jobs_format import jobs_line
from tui.widgets.runs_format import RUN_COLUMNS, fill_runs

REFRESH_SECONDS = 2.0


class HomeScreen(KinetraScreen):
    """Store summary, demo notice, health and jobs lines, and the recent runs."""

    SCREEN_NAME = "Home"

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Reading the store…", id="summary", classes="panel")
        yield Static("", id="demo-note", classes="note")
        yield Static("", id="health-line", classes="section")
        yield Static("", id="jobs-line", classes="section")
        yield Static("Recent runs", classes="section")
        yield DataTable(id="recent-runs", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#recent-runs", DataTable)
        table.add_columns(*RUN_COLUMNS)
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)
    def load(self) -> None:
        """Read the summary and recent runs off the UI thread."""
        self.post_message(SummaryLoaded(summary(self.store), runs.list_runs(self.store, limit=10),
                                        latest_reports(self.store)))
        state = daemon.status(self.store)
        try:
            self.post_message(JobsLoaded(scheduler.overview(self.store, now=self.kapp.clock.now()), state))
        except ConfigError as err:
            self.post_message(JobsLoaded([], state, str(err)))

    @on(SummaryLoaded)
    def show(self, message: SummaryLoaded) -> None:
        s = message.summary
        last = s["last_bar"].replace("T", " ").removesuffix(":00Z") + " UTC" if s["last_bar"] else "none"
        self.query_one("#summary", Static).update(
            f"[b]{s['series']}[/b] series · [b]{s['bars']:,}[/b] bars · [b]{s['symbols']}[/b] symbols · "
            f"{s['revisions']:,} revisions · last bar {last}"
        )
        note = self.query_one("#demo-note", Static)
        if s["demo_series"]:
            note.update(f"Demo data: {s['demo_series']} series are synthetic (broker demo). "
                        "Import your MT5 exports on Data (2) with i.")
        else:
            note.update("" if s["series"] else "The store is empty: import MT5 exports on Data (2) with i, "
                        "or run `kinetra demo`.")
        self.query_one("#health-line", Static).update(health_line(message.health))
        fill_runs(self.query_one("#recent-runs", DataTable), message.runs, self.now())

    @on(JobsLoaded)
    def show_jobs(self, message: JobsLoaded) -> None:
        line = self.query_one("#jobs-line", Static)
        failed = bool(message.error) or any(j["last_status"] == "failed" for j in message.jobs)
        line.update(Text(f"Jobs: {message.error}", style="bold red") if message.error else
                    jobs_line(message.jobs, message.daemon, self.now()))
        line.set_class(failed, "jobs-failed")


def health_line(reports: list) -> str:
    """One line for Home: how many series are healthy, and the worst one."""
    if not reports:
        return "Health: no scan yet (Health, key 3, then r)"
    good = sum(r["score"] >= 95 for r in reports)
    worst = reports[0]
    stale = sum(r["freshness"]["stale"] for r in reports)
    return (f"Health: {good}/{len(reports)} series score 95+ · worst {worst['symbol']} {worst['timeframe']}"
            f" ({worst['broker']}) {worst['score']:.1f} · {stale} stale")
