"""Order-flow measures from bars: buy/sell pressure from the close's place in the range, asymmetry of returns."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from kinetra.features.windows import CHUNK, chunk_span, window_sums


@njit(cache=True, nogil=True)
def pressure(high: np.ndarray, low: np.ndarray, close: np.ndarray, tick_volume: np.ndarray,
             buy: bool) -> np.ndarray:
    """Buy (or sell) pressure per bar: close location (c-l)/(h-l) (or its complement) times tick volume.

    A bar with no range counts as 0.5; a missing or non-positive tick volume weighs 1.
    """
    n = close.shape[0]
    out = np.full(n, np.nan)
    for t in range(n):
        h, lo, c = high[t], low[t], close[t]
        if not (math.isfinite(h) and math.isfinite(lo) and math.isfinite(c)):
            continue
        loc = 0.5 if h <= lo else min(max((c - lo) / (h - lo), 0.0), 1.0)
        w = tick_volume[t]
        w = w if (math.isfinite(w) and w > 0.0) else 1.0
        out[t] = (loc if buy else 1.0 - loc) * w
    return out


@njit(cache=True, nogil=True, parallel=True)
def rolling_flow(buy: np.ndarray, sell: np.ndarray, window: int) -> np.ndarray:
    """Directional order flow in [-1, 1]: (sum buy - sum sell) / (sum buy + sum sell) over the window."""
    n = buy.shape[0]
    out = np.full(n, np.nan)
    for c in prange((n + CHUNK - 1) // CHUNK):
        start, stop, first = chunk_span(c, n, window)
        terms = np.zeros((stop - first, 2))  # buy, sell for bars where both are finite
        for i in range(first, stop):
            b, s = buy[i], sell[i]
            if (b - b) == 0.0 and (s - s) == 0.0:
                terms[i - first] = (b, s)
        sums = window_sums(terms, window)
        for t in range(max(start, window - 1), stop):
            sb, ss = sums[t - first]
            if sb + ss > 0.0:
                out[t] = (sb - ss) / (sb + ss)
    return out


@njit(cache=True, nogil=True)
def streak(v: np.ndarray, up: bool) -> np.ndarray:
    """Length of the run of consecutive up (or down) returns ending at t; 0 on a move the other way, NaN on NaN."""
    n = v.shape[0]
    out = np.full(n, np.nan)
    run = 0.0
    for t in range(n):
        x = v[t]
        if not math.isfinite(x):
            run = 0.0
            continue
        run = run + 1.0 if ((x > 0.0) if up else (x < 0.0)) else 0.0
        out[t] = run
    return out


@njit(cache=True, nogil=True, parallel=True)
def rolling_semivariance_ratio(v: np.ndarray, window: int) -> np.ndarray:
    """Upside over downside semivariance, sum v^2 (v > 0) / sum v^2 (v < 0) over the window; NaN if no downside."""
    n = v.shape[0]
    out = np.full(n, np.nan)
    for c in prange((n + CHUNK - 1) // CHUNK):
        start, stop, first = chunk_span(c, n, window)
        terms = np.zeros((stop - first, 2))  # v^2 of finite up moves, v^2 of finite down moves
        for i in range(first, stop):
            x = v[i]
            if (x - x) == 0.0 and x != 0.0:
                terms[i - first, 0 if x > 0.0 else 1] = x * x
        sums = window_sums(terms, window)
        for t in range(max(start, window - 1), stop):
            up, down = sums[t - first]
            if down > 0.0:
                out[t] = up / down
    return out
