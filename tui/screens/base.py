"""Shared base of top-level screens: header, body, footer, access to the core's handles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from kinetra.clock import utc_naive
from tui.widgets.header import KinetraHeader

if TYPE_CHECKING:
    from tui.app import KinetraApp


class KinetraScreen(Screen):
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
