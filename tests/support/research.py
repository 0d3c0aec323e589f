"""Stores holding series with known statistics, and small suites to run on them."""

from __future__ import annotations

from typing import Any

import numpy as np

from kinetra.data.bars_frame import PreparedSeries, store_frame
from kinetra.data.writer import write_series
from kinetra.research.calibration import synthetic_bars
from kinetra.research.suite import Suite, parse_suite


def store_synthetic(store: Any, symbol: str, n: int, seed: int, phi: float = 0.0, timeframe: str = "H1") -> None:
    """Write n hourly AR(1) bars (phi = 0: a random walk) as SYMBOL TF, 8 points of spread, into the store."""
    bars = synthetic_bars(n, np.random.SeedSequence([seed, 7]), phi=phi)
    bars["tick_volume"] = 100
    bars["volume"] = 0
    bars["spread"] = bars["spread"].astype(np.int64)
    write_series(store, [PreparedSeries("test", symbol, timeframe, "forex", "synthetic", f"seed {seed}",
                                        store_frame(bars))])


def small_suite(**fields: Any) -> Suite:
    """A suite small enough for a test: SMA crossovers, every H1 series, 3 folds, 200 Monte Carlo draws."""
    data: dict[str, Any] = {
        "name": "small", "agents": [{"name": "sma_crossover", "params": {"fast": [2, 5], "slow": 20}}],
        "validation": {"scheme": "walk_forward", "folds": 3}, "monte_carlo": {"count": 200}, "seed": 3,
    }
    return parse_suite(data | fields, "test suite")
