"""kinetra-tui: modes for the seven screens, global keys, and worker error handling."""

from __future__ import annotations

import sys
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker

from kinetra.clock import Clock, SystemClock
from kinetra.config import Settings, load_settings
from kinetra.errors import KinetraError
from kinetra.store import Store, open_store
from tui.palette import SCREENS, ScreensProvider
from tui.screens.base import notify_worker_error
from tui.screens.data import DataScreen
from tui.screens.health import HealthScreen
from tui.screens.home import HomeScreen
from tui.screens.jobs import JobsScreen
from tui.screens.live import LiveScreen
from tui.screens.modals.help import HelpModal
from tui.screens.tests import TestRunsScreen
from tui.screens.training import TrainingScreen


class KinetraApp(App):
    """The Kinetra terminal UI."""

    TITLE = "Kinetra"
    CSS_PATH = "styles/app.tcss"
    MODES = {"home": HomeScreen, "data": DataScreen, "health": HealthScreen, "tests": TestRunsScreen,
             "training": TrainingScreen, "live": LiveScreen, "jobs": JobsScreen}
    DEFAULT_MODE = "home"
    COMMANDS = App.COMMANDS | {ScreensProvider}
    BINDINGS = [
        *(Binding(key, f"switch_mode('{mode}')", title, id=f"screen.{mode}") for mode, title, key in SCREENS),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, store: Store | None = None, settings: Settings | None = None, clock: Clock | None = None,
                 store_label: str | None = None) -> None:
        super().__init__()
        self.settings = settings or load_settings()
        self.store = store or open_store(self.settings)
        self.clock = clock or SystemClock()
        self.store_label = store_label or str(self.store.path)

    def action_help(self) -> None:
        """Show every key of the app and the current screen."""
        rows = [("screen", b) for b in self.screen.BINDINGS if isinstance(b, Binding)]
        rows += [("app", b) for b in self.BINDINGS if isinstance(b, Binding)]
        extra = tuple(("screen", key, text) for key, text in getattr(self.screen, "KEYS_EXTRA", ()))
        self.push_screen(HelpModal(rows, extra + (("app", "ctrl+p", "Command palette (screens too)"),)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn a failed worker of the app into a one-line notification instead of a crash (screens do their own)."""
        notify_worker_error(self, event)


def run() -> None:
    """Console-script entry: start the TUI, or print one line if config or store are unusable."""
    try:
        app = KinetraApp()
    except KinetraError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    app.run()


if __name__ == "__main__":
    run()
