"""Test Runs (4): the runs of this area, live."""

from __future__ import annotations

from tui.screens.runs_view import RunsScreen


class TestRunsScreen(RunsScreen):
    """Test Runs runs with progress, cancel and detail."""

    SCREEN_NAME = "Test Runs"
    KINDS = ("test",)
    EMPTY_HINT = "Test-suite runs appear here, with progress and verdicts, once suites are run."
