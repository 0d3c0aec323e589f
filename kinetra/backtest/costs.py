"""Trading costs per bar, MT5-accurate: spread, commission, swap at rollovers, slippage.

Price convention: MT5 bars carry **bid** prices. A buy fills at ask = bid + spread x point, a sell
at bid, so a round trip pays one full spread: a long pays it on entry, a short on exit (and a short
is marked to market at the ask). The spread of a bar is its `spread` column in points; where the
column is absent, 0 or NaN the symbol's typical spread is used.

Commission is charged on each side: `commission_per_lot` x lots + `commission_pct` % of the filled
notional. Slippage is adverse on every fill: `slippage_points` + `slippage_spread_fraction` x the
bar's spread. Swap is credited (negative: charged) at each broker rollover a position is held
through; the rollover ending the triple-swap day counts three nights, and rollovers ending a
Saturday or Sunday count only when `swap_weekends` is set.
"""

from __future__ import annotations

import numpy as np

from kinetra.backtest.spec import WEEKDAYS, SymbolSpec

DAY = 86400
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


def bar_spreads(spread: np.ndarray | None, n: int, spec: SymbolSpec) -> np.ndarray:
    """Return the spread in points of each bar, the typical spread where the bars give none."""
    if spread is None:
        return np.full(n, spec.spread_points, dtype=np.float64)
    out = np.asarray(spread, dtype=np.float64).copy()
    out[~(out > 0)] = spec.spread_points
    return out


def night_weights(spec: SymbolSpec) -> np.ndarray:
    """Nights charged by the rollover ending each broker weekday (Monday first)."""
    weights = np.ones(7)
    if not spec.swap_weekends:
        weights[5:] = 0.0
    if spec.triple_swap_day != "none":
        weights[WEEKDAYS.index(spec.triple_swap_day)] = 3.0
    return weights


def _cumulative_nights(times_s: np.ndarray, spec: SymbolSpec) -> np.ndarray:
    """Weighted count of rollovers at or before each UTC time, from an arbitrary origin."""
    hour_s = spec.rollover_hour_utc * 3600
    last_rollover_day = np.floor_divide(times_s - hour_s, DAY)
    # The rollover at day D, hour H UTC is broker midnight: it ends broker day D (H > 0) or D - 1 (H = 0).
    ended_day = last_rollover_day - (1 if hour_s == 0 else 0) + _EPOCH_WEEKDAY
    weights = night_weights(spec)
    prefix = np.cumsum(weights)
    return np.floor_divide(ended_day, 7) * weights.sum() + prefix[np.mod(ended_day, 7)]


def rollover_nights(event_s: np.ndarray, spec: SymbolSpec) -> np.ndarray:
    """Nights of swap for holding from each previous event time (exclusive) to this one (inclusive).

    `event_s` are the UTC epoch seconds at which fills happen on each bar (bar open for next-open
    fills, bar close for close fills); the first bar gets 0.
    """
    if len(event_s) == 0:
        return np.zeros(0)
    cumulative = _cumulative_nights(np.asarray(event_s, dtype=np.int64), spec)
    return np.r_[0.0, np.diff(cumulative)]
