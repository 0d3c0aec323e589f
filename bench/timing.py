"""Wall-clock timing shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def timed_runs(task: Callable[[], object], repeat: int = 3, warm_up: bool = False) -> list[float]:
    """Return the wall seconds of `repeat` calls of `task`, best first (after one untimed call if `warm_up`).

    Best first because the machine's other work only ever adds time.
    """
    if warm_up:
        task()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return sorted(times)
