"""Jobs (7): the daemon, every scheduled job (run now, pause, enable, edit, history), and all runs below."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kinetra.errors import ConfigError
from kinetra.jobs import daemon, launch, scheduler, schedules
from tui.messages import JobChanged, JobsLoaded
from tui.screens.modals.job_history import JobHistoryModal
from tui.screens.modals.schedule import ScheduleModal
from tui.screens.runs_view import REFRESH_SECONDS, RunsScreen
from tui.widgets.tables import refill
from tui.widgets.jobs_format import JOB_COLUMNS, daemon_banner, job_detail, job_row


class JobsScreen(RunsScreen):
    """The daemon banner, the jobs table with its actions, and every run with progress, cancel and detail."""

    SCREEN_NAME = "Jobs"
    KINDS = ()
    EMPTY_HINT = "Every run shows here: jobs, imports, demo seeding, scans. r runs the selected job now."
    BINDINGS = [
        Binding("r", "run_job", "Run now", id="jobs.run"),
        Binding("p", "pause_job", "Pause/resume", id="jobs.pause"),
        Binding("t", "toggle_job", "Enable/disable", id="jobs.toggle"),
        Binding("e", "edit_job", "Edit schedule", id="jobs.edit"),
        Binding("D", "start_daemon", "Start daemon", key_display="D", id="jobs.daemon"),
        *RunsScreen.BINDINGS,
    ]
    KEYS_EXTRA = (("enter", "Jobs table: the job's history · runs table: the run's detail"),
                  ("tab", "Move between the jobs and the runs table"))

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.daemon: dict[str, Any] = {"alive": False, "pid": None, "started_at": None, "heartbeat_at": None}

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Reading the jobs daemon…", id="daemon-banner")
        yield Static("Jobs · r runs now · p pauses/resumes · t enables/disables · e edits the schedule · "
                     "Enter shows history", classes="section")
        yield DataTable(id="jobs", cursor_type="row", zebra_stripes=True)
        yield Static("", id="job-detail")
        yield from super().compose_body()

    def on_mount(self) -> None:  # RunsScreen.on_mount runs too (Textual dispatches along the MRO)
        self.query_one("#jobs", DataTable).add_columns(*JOB_COLUMNS)
        self.load_jobs()
        self.set_interval(REFRESH_SECONDS, self.load_jobs)

    @work(thread=True, exclusive=True, group="jobs", exit_on_error=False)
    def load_jobs(self) -> None:
        """Read every job's overview and the daemon's status off the UI thread."""
        state = daemon.status(self.store)
        try:
            self.post_message(JobsLoaded(scheduler.overview(self.store, now=self.kapp.clock.now()), state))
        except ConfigError as err:  # a broken jobs.yaml: say so in place, not as a notification every second
            self.post_message(JobsLoaded([], state, str(err)))

    @on(JobsLoaded)
    def show_jobs(self, message: JobsLoaded) -> None:
        self.jobs = {j["name"]: j for j in message.jobs}
        self.daemon = message.daemon
        banner = self.query_one("#daemon-banner", Static)
        banner.update(Text(message.error) if message.error else daemon_banner(message.daemon, self.now()))
        banner.set_class(message.daemon["alive"] and not message.error, "daemon-alive")
        banner.set_class(not message.daemon["alive"] or bool(message.error), "daemon-down")
        refill(self.query_one("#jobs", DataTable), ((job["name"], job_row(job)) for job in message.jobs))
        self.show_detail()

    @on(DataTable.RowHighlighted, "#jobs")
    def show_detail(self) -> None:
        """Describe the job under the cursor and its last execution, in full."""
        job = self._job()
        self.query_one("#job-detail", Static).update(job_detail(job) if job else "")

    def _job(self) -> dict[str, Any] | None:
        table = self.query_one("#jobs", DataTable)
        if not table.row_count:
            return None
        return self.jobs.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(JobChanged)
    def job_changed(self, message: JobChanged) -> None:
        self.notify(message.text)
        self.load_jobs()

    def action_run_job(self) -> None:
        """Run the selected job now: through the daemon when it runs, else in a process of its own."""
        if job := self._job():
            self.run_job(job["name"], job["enabled"] and not job["paused"])

    @work(thread=True, exclusive=True, group="jobs-act", exit_on_error=False)
    def run_job(self, name: str, schedulable: bool) -> None:
        if schedulable and daemon.status(self.store)["alive"]:
            scheduler.fire_now(self.store, name)
            self.post_message(JobChanged(f"{name}: due now, the daemon starts it within seconds"))
        else:
            pid = launch.run_detached(self.store, name)
            self.post_message(JobChanged(f"{name}: started now in its own process (pid {pid})"))

    def action_pause_job(self) -> None:
        """Pause the selected job, or resume it when paused."""
        job = self._job()
        if job is None:
            return
        if not job["enabled"]:
            self.notify(f"{job['name']} is disabled: enable it first (t)", severity="warning")
            return
        self.pause_job(job["name"], not job["paused"])

    @work(thread=True, exclusive=True, group="jobs-act", exit_on_error=False)
    def pause_job(self, name: str, paused: bool) -> None:
        scheduler.set_paused(self.store, name, paused)
        self.post_message(JobChanged(f"{name}: {'paused' if paused else 'resumed'}"))

    def action_toggle_job(self) -> None:
        """Enable the selected job, or disable it when enabled."""
        if job := self._job():
            self.toggle_job(job["name"], not job["enabled"])

    @work(thread=True, exclusive=True, group="jobs-act", exit_on_error=False)
    def toggle_job(self, name: str, enabled: bool) -> None:
        schedules.update_job(name, enabled=enabled)
        self.post_message(JobChanged(f"{name}: {'enabled' if enabled else 'disabled'}"))

    def action_edit_job(self) -> None:
        """Edit the selected job's schedule in a dialog."""
        if job := self._job():
            self.app.push_screen(ScheduleModal(job), self._schedule_edited)

    def _schedule_edited(self, schedule: str | None) -> None:
        if schedule is not None:
            self.post_message(JobChanged(schedule))

    def action_start_daemon(self) -> None:
        """Start the jobs daemon in the background (it outlives the TUI)."""
        if self.daemon["alive"]:
            self.notify(f"the jobs daemon already runs (pid {self.daemon['pid']})")
            return
        self.start_daemon()

    @work(thread=True, exclusive=True, group="jobs-act", exit_on_error=False)
    def start_daemon(self) -> None:
        self.post_message(JobChanged(f"jobs daemon started (pid {daemon.start_detached(self.store)})"))

    @on(DataTable.RowSelected, "#jobs")
    def show_history(self, event: DataTable.RowSelected) -> None:
        """Open the selected job's executions."""
        self.app.push_screen(JobHistoryModal(event.row_key.value))
