"""Health (3): the runs of this area, live."""

from __future__ import annotations

from tui.screens.runs_view import RunsScreen


class HealthScreen(RunsScreen):
    """Health runs with progress, cancel and detail."""

    SCREEN_NAME = "Health"
    KINDS = ("health",)
    EMPTY_HINT = "Health scans appear here with their progress as they run; `kinetra runs list` shows every run."
