"""Proof the verdict is honest, on the real backtester: few false edges on random walks, planted edges found.

bench/stats_bench.py runs the same at a larger scale (1,000 variants, 100 seeds).
"""

from __future__ import annotations

import numpy as np

from kinetra.research.calibration import edges, null_family, planted_family, synthetic_bars
from kinetra.research.verdict import VerdictConfig


def test_at_most_5_percent_of_200_random_strategies_on_a_random_walk_are_called_edge() -> None:
    # n_boot=0: the bootstrap interval is reported, not judged, so it is skipped here for speed.
    found = null_family(seed=11, n_groups=20, per_group=10, config=VerdictConfig(seed=11, n_boot=0))
    assert len(found) == 200
    assert edges(found) <= 10
    p = np.array([a.p_value for a in found])
    assert 0.0 < np.mean(p <= 0.05) < 0.2  # raw p-values behave like a null, before any correction


def test_a_planted_momentum_edge_is_found_in_at_least_18_of_20_seeds() -> None:
    found = [planted_family(seed, config=VerdictConfig(seed=seed, n_boot=0, n_null=500)) for seed in range(20)]
    detected = sum(edges(family, "momentum") > 0 for family in found)
    assert detected >= 18
    assert sum(edges(family) - edges(family, "momentum") for family in found) <= 2  # controls stay "no edge"


def test_synthetic_bars_are_reproducible_and_have_the_planted_autocorrelation() -> None:
    a, b = synthetic_bars(20_000, 1, phi=0.2), synthetic_bars(20_000, 1, phi=0.2)
    assert a.equals(b)
    r = np.diff(np.log(a["close"].to_numpy()))
    assert abs(np.corrcoef(r[1:], r[:-1])[0, 1] - 0.2) < 0.03
    walk = np.diff(np.log(synthetic_bars(20_000, 2)["close"].to_numpy()))
    assert abs(np.corrcoef(walk[1:], walk[:-1])[0, 1]) < 0.03
