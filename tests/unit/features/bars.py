"""Deterministic random-walk bars for feature and agent tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def random_bars(n: int, seed: int = 0, volume: bool = True) -> pd.DataFrame:
    """Return n hourly OHLC bars of a seeded random walk, with tick volume unless `volume` is false."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    wick = np.abs(rng.normal(0, 0.001, (2, n))) * close
    frame = pd.DataFrame({"open": open_, "high": np.maximum(open_, close) + wick[0],
                          "low": np.minimum(open_, close) - wick[1], "close": close},
                         index=pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"))
    if volume:
        frame["tick_volume"] = rng.integers(1, 1000, n)
    return frame
