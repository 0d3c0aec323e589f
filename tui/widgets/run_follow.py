"""Follow a run from a thread worker, posting its record until it ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.worker import get_current_worker

from kinetra import runs
from tui.messages import RunProgressed


def follow(store: Any, run_id: str, post: Callable[[RunProgressed], Any], poll: float = 0.3) -> None:
    """Post RunProgressed for `run_id` until it finishes or the worker is cancelled (the run lives on)."""
    worker = get_current_worker()
    while not worker.is_cancelled:
        rec = runs.get(store, run_id)
        post(RunProgressed(rec))
        if rec.status in runs.FINISHED:
            return
        time.sleep(poll)
