"""Calibration of the research verdict at scale, and the speed of its resampling kernels.

False-positive rate: 1,000 random strategy variants (MA crossovers, momentum, random signals; 5
random-walk series x 20 groups x 10 variants) backtested with spread costs and judged with the
default VerdictConfig: every "edge" is false. Detection rate: 100 seeds of AR(1) returns with a
planted lag-1 autocorrelation (phi = 0.2), a 10-lookback momentum family next to 10 random MA
crossovers; a seed counts as detected when any momentum variant is called "edge". A smaller power
curve at weaker edges (phi 0.1, 0.15) shows where detection fades. Run: `.venv/bin/python bench/stats_bench.py`
(add `--quick` for a tenth of the work).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from kinetra.research.bootstrap import bootstrap_ci
from kinetra.research.calibration import edges, null_family, planted_family
from kinetra.research.nulls import TradeBook, random_entry_test
from kinetra.research.verdict import VerdictConfig


def bench_kernels() -> None:
    """Time 1,000 bootstrap draws and 1,000 random-entry placements over 10,000 bars (after JIT warm-up)."""
    rng = np.random.default_rng(0)
    r = rng.standard_t(5, 10_000) * 1e-3
    book = TradeBook(np.arange(0, 10_000, 50), np.full(200, 25), np.ones(200), 10_000)
    bootstrap_ci(r[:100], n_boot=10, seed=0)
    random_entry_test(r, book, n_null=10, seed=0)
    for method in ("stationary", "block", "iid"):
        started = time.perf_counter()
        bootstrap_ci(r, method=method, n_boot=1000, seed=1)
        print(f"bootstrap_ci {method:<10} 1,000 draws x 10,000 bars: {time.perf_counter() - started:6.3f} s")
    started = time.perf_counter()
    random_entry_test(r, book, n_null=1000, seed=1)
    print(f"random_entry_test 200 trades, 1,000 placements x 10,000 bars: {time.perf_counter() - started:6.3f} s")


def false_positives(n_series: int) -> None:
    """Run n_series x 200 random variants on random walks and print the share called "edge"."""
    started = time.perf_counter()
    found = [a for seed in range(n_series) for a in null_family(seed, n_groups=20, per_group=10,
                                                                 config=VerdictConfig(seed=seed))]
    n_edge = edges(found)
    raw = sum(a.p_value <= 0.05 for a in found)
    print(f"false positives: {n_edge} / {len(found)} variants called edge = {n_edge / len(found):.2%} "
          f"(raw p <= 0.05: {raw} = {raw / len(found):.1%}) in {time.perf_counter() - started:.1f} s")


def detection(n_seeds: int, phi: float) -> None:
    """Run the planted momentum family on n_seeds series and print the share of seeds where it is found."""
    started = time.perf_counter()
    hits = controls = 0
    for seed in range(n_seeds):
        family = planted_family(seed, phi=phi, config=VerdictConfig(seed=seed))
        hits += edges(family, "momentum") > 0
        controls += edges(family) - edges(family, "momentum")
    print(f"detection phi={phi}: {hits} / {n_seeds} seeds = {hits / n_seeds:.0%} "
          f"(control MA variants called edge: {controls} / {10 * n_seeds}) in {time.perf_counter() - started:.1f} s")


def main() -> None:
    quick = "--quick" in sys.argv
    bench_kernels()
    false_positives(1 if quick else 5)
    detection(10 if quick else 100, 0.2)
    for phi in (0.1, 0.15):
        detection(5 if quick else 20, phi)


if __name__ == "__main__":
    main()
