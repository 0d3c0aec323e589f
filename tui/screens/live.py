"""Live (6): the runs of this area, live."""

from __future__ import annotations

from tui.screens.runs_view import RunsScreen


class LiveScreen(RunsScreen):
    """Live runs with progress, cancel and detail."""

    SCREEN_NAME = "Live"
    KINDS = ("live",)
    EMPTY_HINT = "Paper and live sessions appear here while they run; paper is the default profile for anything that trades."
