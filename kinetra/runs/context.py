"""What a running task sees: its params and seed, progress, events and the cancel flag."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from kinetra.errors import RunCancelled
from kinetra.runs import records


class RunContext:
    """Handle a task uses to report progress and notice cancellation."""

    def __init__(self, store: Any, run_id: str, params: dict[str, Any], seed: int | None,
                 min_interval: float = 0.25, listener: Any = None) -> None:
        self.store = store
        self.run_id = run_id
        self.params = params
        self.seed = seed
        self.min_interval = min_interval
        self.listener = listener
        self._term = threading.Event()
        self._last_progress = 0.0
        self._last_message: str | None = None
        self._last_cancel_check = 0.0
        self._cancel_seen = False

    def install_sigterm(self) -> None:
        """Turn SIGTERM into a cancel request the task sees at its next check."""
        signal.signal(signal.SIGTERM, lambda *_: self._term.set())

    def progress(self, fraction: float, message: str = "") -> None:
        """Record progress in [0, 1]; bursts of the same message are thinned to one write per interval."""
        if self.listener is not None:
            self.listener(fraction, message)
        now = time.monotonic()
        same = message == self._last_message
        if fraction < 1.0 and same and now - self._last_progress < self.min_interval:
            return
        self._last_progress, self._last_message = now, message
        records.set_progress(self.store, self.run_id, min(max(fraction, 0.0), 1.0), message)

    def event(self, message: str, level: str = "info") -> None:
        """Append an event line to the run's log in the store."""
        records.add_event(self.store, self.run_id, message, level)

    def should_cancel(self) -> bool:
        """Tell whether SIGTERM arrived or someone set the run's cancel flag."""
        if self._term.is_set() or self._cancel_seen:
            return True
        now = time.monotonic()
        if now - self._last_cancel_check >= self.min_interval:
            self._last_cancel_check = now
            self._cancel_seen = records.cancel_requested(self.store, self.run_id)
        return self._cancel_seen

    def check_cancel(self) -> None:
        """Raise RunCancelled when cancellation was asked for; call between steps."""
        if self.should_cancel():
            raise RunCancelled("cancelled on request")
