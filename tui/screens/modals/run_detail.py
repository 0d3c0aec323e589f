"""One run in full: params, status, result or error, events."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class RunDetailModal(ModalScreen[None]):
    """Shows a run record and its events as text."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="run.close")]

    def __init__(self, record: dict[str, Any], events: list[dict[str, Any]]) -> None:
        super().__init__()
        self.record = record
        self.events = events

    def compose(self) -> ComposeResult:
        rec = self.record
        with VerticalScroll(id="run-dialog", classes="dialog"):
            yield Label(f"[b]Run {rec['id']}[/b] · {rec['kind']} · {rec['status']} (Escape closes)")
            if rec.get("error"):
                yield Static(f"[red]{rec['error']}[/red]")
            shown = {k: rec[k] for k in ("params", "seed", "created_at", "started_at", "ended_at", "duration_s",
                                         "git_revision", "result") if k in rec}
            yield Static(json.dumps(shown, indent=2, default=str), markup=False)
            lines = [f"{e['at']} {e['level']}: {e['message']}" for e in self.events] or ["(no events)"]
            yield Static("\n".join(lines), markup=False)
