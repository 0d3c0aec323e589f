"""The `quick` suite's wall time on the demo data, and how it scales with cores and with bars.

Runs the shipped `quick` preset (5 agents x 6 H1 series x 5 walk-forward folds, 1,000 Monte Carlo
draws) end to end as a run (jobs, verdicts, stored results, report) on the demo dataset, then on a
demo twice as long (the ratio is the cost of doubling the bars). Scaling with cores is measured on
the heavier `walk_forward` preset (84 candidates, 288 jobs) with one worker and with every core:
quick's jobs take only seconds, so the runner keeps them in one process (see POOL_MIN_SECONDS).
Target: quick <= 60 s on 2 cores.
Run: `.venv/bin/python bench/suite_bench.py`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _seeded_home(years: float) -> str:
    """A fresh KINETRA_HOME holding the seed-7 demo markets over `years` years."""
    from kinetra.data.demo import _prepared
    from kinetra.data.synthetic import demo_dataset
    from kinetra.data.writer import write_series
    from kinetra.store import open_store

    home = tempfile.mkdtemp(prefix="kinetra-suite-bench-")
    os.environ["KINETRA_HOME"] = home
    write_series(open_store(), [_prepared(s, 7) for s in demo_dataset(seed=7, years=years)])
    return home


def timed(name: str, workers: int) -> tuple[float, dict]:
    """Run a suite in this process's store with up to `workers` processes; return (seconds, summary)."""
    from kinetra import runs
    from kinetra.research.suite import load_suite
    from kinetra.store import open_store

    suite = load_suite(name)
    started = time.perf_counter()
    rec = runs.run_inline(open_store(), "test", {"suite": suite.to_json(), "workers": workers}, seed=suite.seed)
    if rec.status != "succeeded":
        raise SystemExit(f"{name} failed: {rec.error}")
    return time.perf_counter() - started, rec.result


def main() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"quick suite on the demo data ({cores} cores; load {os.getloadavg()[0]:.1f})")
    _seeded_home(2.0)
    timed("quick", cores)  # warm-up: numba caches, matplotlib font cache
    quick, summary = timed("quick", cores)
    print(f"  quick, 2-year demo, {summary['jobs']} jobs, {summary['candidates']} candidates: {quick:6.1f} s")
    one, wf = timed("walk_forward", 1)
    many, _ = timed("walk_forward", cores)
    print(f"  walk_forward, {wf['jobs']} jobs, {wf['candidates']} candidates: 1 worker {one:6.1f} s,"
          f" {cores} workers {many:6.1f} s (speed-up {one / many:4.2f}x)")
    _seeded_home(4.0)
    longer, _ = timed("quick", cores)
    print(f"  quick, 4-year demo (2x the bars): {longer:6.1f} s ({longer / quick:4.2f}x the 2-year time)")
    print(f"  target: quick <= 60 s on 2 cores -> {'met' if quick <= 60 else 'NOT met'} ({quick:.1f} s)")

if __name__ == "__main__":
    main()
