"""Position kernels of the rule agents: each reads bars <= t to decide the position at t."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def trailing_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of x[t-window+1..t]; NaN in warm-up or if any value in the window is NaN."""
    n = x.shape[0]
    out = np.full(n, np.nan)
    for t in range(window - 1, n):
        s = 0.0
        for i in range(t - window + 1, t + 1):
            s += x[i]
        out[t] = s / window
    return out


@njit(cache=True, nogil=True)
def sma_cross(close: np.ndarray, fast: int, slow: int, allow_short: bool) -> np.ndarray:
    """+1 while SMA(fast) > SMA(slow), -1 (or 0 without shorts) while below, 0 when equal or unknown."""
    f, s = trailing_mean(close, fast), trailing_mean(close, slow)
    out = np.zeros(close.shape[0])
    for t in range(close.shape[0]):
        if f[t] > s[t]:
            out[t] = 1.0
        elif f[t] < s[t] and allow_short:
            out[t] = -1.0
    return out


@njit(cache=True, nogil=True)
def _move(close: np.ndarray, t: int, lookback: int) -> float:
    """Sign of close[t] - close[t-lookback]; 0 when unknown."""
    if t < lookback:
        return 0.0
    d = close[t] - close[t - lookback]
    return 1.0 if d > 0.0 else (-1.0 if d < 0.0 else 0.0)


@njit(cache=True, nogil=True)
def gated_momentum(close: np.ndarray, gate: np.ndarray, lookback: int, sign: float) -> np.ndarray:
    """sign * direction of the last `lookback` bars wherever gate[t] is true, flat elsewhere."""
    out = np.zeros(close.shape[0])
    for t in range(close.shape[0]):
        if gate[t]:
            out[t] = sign * _move(close, t, lookback)
    return out


@njit(cache=True, nogil=True)
def channel_breakout(high: np.ndarray, low: np.ndarray, close: np.ndarray, quiet: np.ndarray,
                     channel: int) -> np.ndarray:
    """Enter on a close beyond the prior `channel` bars' high/low while `quiet`; exit through the mid-channel."""
    n = close.shape[0]
    out = np.zeros(n)
    pos = 0.0
    for t in range(channel, n):
        hi, lo = -np.inf, np.inf
        for i in range(t - channel, t):
            hi, lo = max(hi, high[i]), min(lo, low[i])
        c = close[t]
        if math.isfinite(hi) and math.isfinite(lo) and math.isfinite(c):
            mid = 0.5 * (hi + lo)
            if quiet[t] and c > hi:
                pos = 1.0
            elif quiet[t] and c < lo:
                pos = -1.0
            elif (pos > 0.0 and c < mid) or (pos < 0.0 and c > mid):
                pos = 0.0
        out[t] = pos
    return out


@njit(cache=True, nogil=True)
def fat_candle_burst(open_: np.ndarray, close: np.ndarray, tick_volume: np.ndarray, window: int,
                     multiplier: float, hold: int) -> np.ndarray:
    """Go with a candle whose body exceeds `multiplier` x the prior `window` bars' mean body on above-mean
    volume (volume ignored where absent), and hold it for `hold` bars unless a new burst replaces it."""
    n = close.shape[0]
    out = np.zeros(n)
    pos, left = 0.0, 0
    for t in range(n):
        if left > 0:
            left -= 1
            if left == 0:
                pos = 0.0
        if t >= window:
            body_sum = vol_sum = 0.0
            vol_k = 0
            for i in range(t - window, t):
                body_sum += abs(close[i] - open_[i])
                if math.isfinite(tick_volume[i]) and tick_volume[i] > 0.0:
                    vol_sum += tick_volume[i]
                    vol_k += 1
            body = close[t] - open_[t]
            loud = vol_k == 0 or not math.isfinite(tick_volume[t]) or tick_volume[t] > vol_sum / vol_k
            if body_sum > 0.0 and abs(body) > multiplier * body_sum / window and loud:
                pos, left = (1.0 if body > 0.0 else -1.0), hold
        out[t] = pos
    return out
