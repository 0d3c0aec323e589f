"""Training (5): the runs of this area, live."""

from __future__ import annotations

from tui.screens.runs_view import RunsScreen


class TrainingScreen(RunsScreen):
    """Training runs with progress, cancel and detail."""

    SCREEN_NAME = "Training"
    KINDS = ("train",)
    EMPTY_HINT = "Training runs appear here, with progress and checkpoints, once agents are trained."
