"""Shared base of top-level screens: header, body, footer, access to the core's handles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from kinetra.clock import utc_naive
from kinetra.errors import KinetraError
from tui.widgets.header import KinetraHeader

if TYPE_CHECKING:
    from tui.app import KinetraApp


def notify_worker_error(app: Any, event: Worker.StateChanged) -> None:
    """Turn a failed worker into a one-line notification: a KinetraError's message, else the error's type."""
    if event.state is not WorkerState.ERROR:
        return
    error: Any = event.worker.error
    text = str(error) if isinstance(error, KinetraError) else f"internal error: {type(error).__name__}: {error}"
    app.notify(text, severity="error", timeout=8)


class ReportsWorkerErrors:
    """Worker state messages do not bubble to the app, so each screen reports its own failed workers."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        notify_worker_error(self.app, event)  # type: ignore[attr-defined]


class KinetraScreen(ReportsWorkerErrors, Screen):
    """A top-level screen: the header and footer around the screen's own body."""

    SCREEN_NAME = ""
    KEYS_EXTRA: tuple[tuple[str, str], ...] = ()
    """Keys handled by widgets (not bindings) that the help should still list."""

    @property
    def kapp(self) -> KinetraApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> Any:
        """The store handle shared by the app."""
        return self.kapp.store

    def now(self) -> datetime:
        """Now from the app's clock, naive UTC like the store."""
        return utc_naive(self.kapp.clock.now())

    def compose(self) -> ComposeResult:
        yield KinetraHeader(self.SCREEN_NAME, self.kapp.settings.profile.value, self.kapp.store_label)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> Iterable[Widget]:
        """Yield the screen's own widgets."""
        return ()
