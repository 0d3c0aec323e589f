"""Jobs (7): the runs of this area, live."""

from __future__ import annotations

from tui.screens.runs_view import RunsScreen


class JobsScreen(RunsScreen):
    """Jobs runs with progress, cancel and detail."""

    SCREEN_NAME = "Jobs"
    KINDS = ()
    EMPTY_HINT = "Every run shows here: imports, demo seeding, scans. Start one with `kinetra data import PATH --detach` or i on Data."
