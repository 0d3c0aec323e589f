"""Performance statistics of return series, row-wise, shared by the bootstrap and the nulls.

Each function takes an array whose last axis is time (one series, or one row per bootstrap draw)
and returns one value per row. The definitions match `kinetra.backtest.metrics`: Sharpe is mean
over sample standard deviation (ddof 1), risk-free 0, times sqrt(periods per year); an undefined
value is NaN, never an exception. Seeds: every stochastic function of `kinetra.research` takes a
`seed` that is an int, a `numpy.random.SeedSequence`, a `numpy.random.Generator` or None.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from kinetra.errors import ResearchInputError

STATISTICS = ("sharpe", "total_return", "profit_factor")
Seed = int | np.random.SeedSequence | np.random.Generator | None
ZERO_VARIANCE = 1e-12
"""A variance at most this share of the mean square counts as zero: the series is constant up to rounding."""


def as_generator(seed: Seed) -> np.random.Generator:
    """Return a PCG64 Generator for `seed`; a Generator passes through so callers can share a stream."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def as_returns(values: object, name: str = "returns") -> np.ndarray:
    """Return `values` as a contiguous 1-D float64 array; NaN or infinite entries are an error, named."""
    r = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    if r.ndim != 1:
        raise ResearchInputError(f"{name} must be one-dimensional, not shape {r.shape}")
    bad = np.flatnonzero(~np.isfinite(r))
    if len(bad):
        raise ResearchInputError(f"{name} hold a NaN or infinite value at position {bad[0]}")
    return r


def sharpe(r: np.ndarray, per_year: float = 1.0) -> np.ndarray | float:
    """Mean / sample std (ddof 1) along the last axis x sqrt(per_year); NaN with < 2 values or zero std.

    A variance within rounding of zero (at most ZERO_VARIANCE x the mean square) counts as zero.
    """
    r = np.asarray(r, dtype=np.float64)
    n = r.shape[-1]
    if n < 2:
        return _shaped(np.full(r.shape[:-1], np.nan))
    mean = r.mean(axis=-1)
    sd = r.std(axis=-1, ddof=1)
    ok = sd**2 > ZERO_VARIANCE * np.mean(r**2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ok, mean / sd * math.sqrt(per_year), np.nan)
    return _shaped(out)


def total_return(r: np.ndarray, per_year: float = 1.0) -> np.ndarray | float:
    """Compounded return prod(1 + r) - 1 along the last axis (`per_year` is ignored)."""
    return _shaped(np.prod(1.0 + np.asarray(r, dtype=np.float64), axis=-1) - 1.0)


def profit_factor(r: np.ndarray, per_year: float = 1.0) -> np.ndarray | float:
    """Sum of gains / |sum of losses| along the last axis; NaN with no loss (`per_year` is ignored)."""
    r = np.asarray(r, dtype=np.float64)
    gains = np.where(r > 0, r, 0.0).sum(axis=-1)
    losses = -np.where(r < 0, r, 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _shaped(np.where(losses > 0, gains / losses, np.nan))


MEASURES: dict[str, Callable[..., np.ndarray | float]] = {
    "sharpe": sharpe, "total_return": total_return, "profit_factor": profit_factor,
}


def measure(name: str) -> Callable[..., np.ndarray | float]:
    """Return the row-wise statistic called `name` (one of STATISTICS)."""
    if name not in MEASURES:
        raise ResearchInputError(f"unknown statistic {name!r} (one of {', '.join(STATISTICS)})")
    return MEASURES[name]


def _shaped(values: np.ndarray) -> np.ndarray | float:
    """A 0-d result as a Python float, anything else as the array."""
    return float(values) if np.ndim(values) == 0 else values
