"""Ask for MT5 exports to import: a path with completion and optional symbol, timeframe, broker."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label


class PathSuggester(Suggester):
    """Complete a typed path to the first matching folder or .csv file."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        folder, prefix = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return None
        for entry in entries:
            if entry.name.startswith(prefix) and not entry.name.startswith(".") and (
                    entry.is_dir() or entry.suffix.lower() in (".csv", ".txt")):
                head = value[: len(value) - len(prefix)] if prefix else value
                return head + entry.name + ("/" if entry.is_dir() else "")
        return None


class ImportModal(ModalScreen[dict | None]):
    """Collect import parameters; dismiss with them, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="import.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog", classes="dialog"):
            yield Label("Import MT5 exports (file or folder; → accepts the completion)")
            yield Input(placeholder="~/exports/ or EURUSD_H1_….csv", id="path", suggester=PathSuggester())
            with Horizontal(classes="row"):
                yield Input(placeholder="symbol (from name)", id="symbol")
                yield Input(placeholder="timeframe (from name)", id="timeframe")
                yield Input(placeholder="broker (default)", id="broker")
            with Horizontal(classes="row buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def start(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        path = Path(raw).expanduser()
        if not raw or not path.exists():
            self.notify(f"no such file or folder: {raw or '(empty)'}", severity="error")
            return
        field = lambda name: self.query_one(f"#{name}", Input).value.strip() or None  # noqa: E731
        self.dismiss({"paths": [str(path.resolve())], "symbol": field("symbol"), "timeframe": field("timeframe"),
                      "broker": field("broker"), "force": False})

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
