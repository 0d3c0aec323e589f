"""Bar-level checks of one series: each returns the bars it flags, vectorised over numpy arrays.

Every check is a pure function of arrays sorted by time, so the same code serves scans of the
store, imports and tests. Indices returned point into the arrays given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAD_TO_SIGMA = 1.4826  # the MAD of a normal distribution times this is its standard deviation


@dataclass(frozen=True)
class Issue:
    """One flagged bar (or the first bar of a flagged run)."""

    kind: str
    index: int
    detail: str


def time_order(ts: np.ndarray) -> list[Issue]:
    """Flag bars whose time repeats (duplicate) or goes back (non-monotonic) against the previous bar."""
    step = np.diff(ts)
    dup = [Issue("duplicate", int(i) + 1, "same time as the previous bar") for i in np.flatnonzero(step == 0)]
    back = [Issue("non_monotonic", int(i) + 1, f"{-int(step[i])} s before the previous bar")
            for i in np.flatnonzero(step < 0)]
    return dup + back


def ohlc(open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray) -> list[Issue]:
    """Flag bars whose high/low do not bound open and close, or whose high is below the low."""
    out = []
    for i in np.flatnonzero((high < low) | (high < np.maximum(open_, close)) | (low > np.minimum(open_, close))):
        out.append(Issue("ohlc", int(i), f"O {open_[i]:g} H {high[i]:g} L {low[i]:g} C {close[i]:g}"))
    return out


def non_positive(open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray) -> list[Issue]:
    """Flag bars with a zero or negative price."""
    bad = (open_ <= 0) | (high <= 0) | (low <= 0) | (close <= 0)
    return [Issue("non_positive", int(i), f"lowest price {min(open_[i], high[i], low[i], close[i]):g}")
            for i in np.flatnonzero(bad)]


def spikes(close: np.ndarray, window: int = 200, threshold: float = 15.0, revert: float = 0.5) -> list[Issue]:
    """Flag closes that jump `threshold` robust sigmas and give back at least `revert` of it next bar.

    z_t = (r_t - median(W)) / (1.4826 * median(|W - median(W)|)) with W the `window` log returns
    before t (at least 30), so a spike cannot hide itself by inflating the scale. Requiring the
    reversal separates a bad tick from a genuine move, which does not snap back. Only reverting
    moves beyond threshold/5 of the series-wide robust scale are evaluated exactly (a local scale
    under 1/5 of the global one is the one case this prefilter could miss).
    """
    r = np.diff(np.log(np.asarray(close, dtype=np.float64)))
    if len(r) < 31:
        return []
    nxt = np.r_[r[1:], 0.0]
    reverting = (np.sign(nxt) == -np.sign(r)) & (np.abs(nxt) >= revert * np.abs(r))
    centre = np.median(r)
    scale = MAD_TO_SIGMA * np.median(np.abs(r - centre))
    cand = np.flatnonzero(reverting & (np.abs(r - centre) > threshold / 5 * scale))
    cand = cand[cand >= 30]
    if not len(cand):
        return []
    z = _trailing_z(r, cand, window, threshold, centre - scale / 4, centre + scale / 4)
    hits = cand[np.abs(z) > threshold]
    zs = z[np.abs(z) > threshold]
    return [Issue("spike", int(i) + 1, f"log return {r[i]:+.4%} is {zi:+.1f} robust sigma and reverts")
            for i, zi in zip(hits, zs, strict=True)]


def _trailing_z(r: np.ndarray, at: np.ndarray, window: int, threshold: float, lo: float, hi: float) -> np.ndarray:
    """Robust z of each r[at] against the (up to) `window` values before it, or 0 where |z| <= threshold for sure."""
    z = np.zeros(len(at))
    full = np.flatnonzero(at >= window)
    if len(full):
        z[full] = _full_window_z(r, at[full], window, threshold, lo, hi)
    for k in np.flatnonzero(at < window):  # only the first `window` bars of a series
        past = r[: at[k]]
        med = np.median(past)
        mad = np.median(np.abs(past - med))
        z[k] = (r[at[k]] - med) / (MAD_TO_SIGMA * mad if mad > 0 else np.inf)
    return z


def _full_window_z(r: np.ndarray, at: np.ndarray, window: int, threshold: float, lo: float, hi: float) -> np.ndarray:
    """Robust z of each r[at] (at >= window) against the `window` values before it, or 0 where |z| <= threshold.

    Most candidates are ordinary moves, and counting proves it without a selection: first with the
    window's median bracketed by [lo, hi] (given: about the series' centre), else with the median
    selected. Only the rest have their MAD selected as well. A NaN z stays NaN (never flagged).
    """
    z, rows = np.zeros(len(at)), np.arange(len(at))
    wins, x = np.lib.stride_tricks.sliding_window_view(r, window)[at - window], r[at]
    if threshold > 0:
        keep = ~(_bracketed(wins, lo, hi) & _surely_ordinary(wins, lo, hi, threshold, x))
        rows, wins, x = rows[keep], wins[keep], x[keep]
    med = np.median(wins, axis=1)
    if threshold > 0:
        keep = ~_surely_ordinary(wins, med, med, threshold, x)
        rows, wins, x, med = rows[keep], wins[keep], x[keep], med[keep]
    mad = np.median(np.abs(wins - med[:, None]), axis=1)
    z[rows] = (x - med) / np.where(mad > 0, MAD_TO_SIGMA * mad, np.inf)
    return z


def _bracketed(wins: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Per row: whether its median lies in [lo, hi] (or it holds NaN): at most (n-1)//2 values below lo, or above hi."""
    half = (wins.shape[1] - 1) // 2
    return (np.count_nonzero(wins < lo, axis=1) <= half) & (np.count_nonzero(wins > hi, axis=1) <= half)


def _surely_ordinary(wins: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float, threshold: float,
                     x: np.ndarray) -> np.ndarray:
    """Per row: whether |z| of x <= threshold for every median of the row in [lo, hi], by counting.

    The MAD about such a median exceeds the largest MAD that |z| > threshold allows when at most
    (n-1)//2 values lie within that bound of [lo, hi]. Bound and band are widened by 1e-6, far
    beyond the rounding of z and of these sums, so a flagged bar is never skipped.
    """
    bound = np.maximum(np.abs(x - lo), np.abs(x - hi)) / (threshold * MAD_TO_SIGMA) * (1 + 1e-6)
    slack = 1e-6 * (np.abs(lo) + np.abs(hi) + bound)
    near = (wins >= (lo - bound - slack)[:, None]) & (wins <= (hi + bound + slack)[:, None])
    return np.count_nonzero(near, axis=1) <= (wins.shape[1] - 1) // 2


def _runs(mask: np.ndarray, min_length: int) -> list[tuple[int, int]]:
    """Return (start, length) of runs of True at least `min_length` long."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s), int(e - s)) for s, e in zip(starts, stops, strict=True) if e - s >= min_length]


def stale(open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray,
          min_length: int = 5) -> list[Issue]:
    """Flag runs of at least `min_length` bars identical to the bar before them (a frozen feed)."""
    same = np.zeros(len(close), dtype=bool)
    same[1:] = (open_[1:] == open_[:-1]) & (high[1:] == high[:-1]) & (low[1:] == low[:-1]) & (close[1:] == close[:-1])
    return [Issue("stale", start, f"{length} bars repeat the bar before") for start, length in _runs(same, min_length)]


def zero_spread(spread: np.ndarray, min_length: int = 5) -> list[Issue]:
    """Flag runs of zero spread in a series whose spread is normally positive."""
    if len(spread) == 0 or _median_at_most_zero(spread):
        return []
    return [Issue("zero_spread", start, f"{length} bars with zero spread")
            for start, length in _runs(spread == 0, min_length)]


def _median_at_most_zero(x: np.ndarray) -> bool:
    """np.median(x) <= 0; for non-negative integers (spreads in points) by counting zeros, not selecting."""
    if x.dtype.kind in "iu" and x.min() >= 0:
        return np.count_nonzero(x) < len(x) - len(x) // 2  # the middle value(s) are 0 iff more than half are
    return bool(np.median(x) <= 0)
