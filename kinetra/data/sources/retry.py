"""Retry timing: exponential backoff with jitter, bounded, and cancellable waits."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retry `attempt` (0-based): base * 2^attempt capped, times a jitter in [0.5, 1]."""
    return min(cap, base * (2.0 ** attempt)) * (0.5 + 0.5 * rng.random())


async def sleep_unless_cancelled(seconds: float, should_cancel: Callable[[], bool] | None, step: float = 0.25) -> bool:
    """Sleep up to `seconds`, waking early (and returning False) when cancellation is asked for."""
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        if should_cancel is not None and should_cancel():
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        await asyncio.sleep(min(step, left))
