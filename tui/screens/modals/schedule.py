"""Edit one job's schedule: a crontab or an interval, and a timezone; the core validates before it writes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from kinetra.errors import ConfigError
from kinetra.jobs.schedules import update_job
from tui.messages import ScheduleRejected, ScheduleSaved
from tui.screens.base import ReportsWorkerErrors


class ScheduleModal(ReportsWorkerErrors, ModalScreen[str | None]):
    """Dismiss with the saved schedule in words, or None when cancelled; a rejected edit stays open with why."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="schedule.cancel")]

    def __init__(self, job: dict[str, Any]) -> None:
        super().__init__()
        self.job = job

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical(id="schedule-dialog", classes="dialog"):
            yield Label(f"[b]Schedule of {job['name']}[/b] · now {job['schedule']} (fill cron or interval; "
                        "Escape cancels)")
            with Horizontal(classes="row"):
                yield Input(job["cron"] or "", placeholder="cron: m h dom mon dow, e.g. 0 6 * * *", id="cron")
                yield Input(job["interval"] or "", placeholder="or interval: 90s, 30m, 6h, 1d", id="interval")
                yield Input(job["timezone"], placeholder="timezone, e.g. UTC or Europe/London", id="timezone")
            yield Static("", id="schedule-error")
            with Horizontal(classes="row buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def _field(self, name: str) -> str | None:
        return self.query_one(f"#{name}", Input).value.strip() or None

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        cron, interval, tz = self._field("cron"), self._field("interval"), self._field("timezone")
        changes: dict[str, Any] = {k: v for k, v in (("cron", cron), ("interval", interval)) if v} or \
            {"cron": None, "interval": None}  # neither: let the core say that one is needed
        self.query_one("#schedule-error", Static).update("checking…")
        self.write(self.job["name"], changes | ({"timezone": tz} if tz else {}))

    @work(thread=True, exclusive=True, group="schedule", exit_on_error=False)
    def write(self, name: str, changes: dict[str, Any]) -> None:
        """Validate and write the schedule; a rejection comes back as a message, not a traceback."""
        try:
            job = update_job(name, **changes)
        except ConfigError as err:
            self.post_message(ScheduleRejected(str(err)))
        else:
            self.post_message(ScheduleSaved(f"{name}: {job.human()}"))

    @on(ScheduleRejected)
    def rejected(self, message: ScheduleRejected) -> None:
        self.query_one("#schedule-error", Static).update(Text(message.error, style="bold red"))

    @on(ScheduleSaved)
    def saved(self, message: ScheduleSaved) -> None:
        self.dismiss(message.schedule)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
