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
    med, mad = _trailing_median_mad(r, cand, window)
    z = (r[cand] - med) / np.where(mad > 0, MAD_TO_SIGMA * mad, np.inf)
    hits = cand[np.abs(z) > threshold]
    zs = z[np.abs(z) > threshold]
    return [Issue("spike", int(i) + 1, f"log return {r[i]:+.4%} is {zi:+.1f} robust sigma and reverts")
            for i, zi in zip(hits, zs, strict=True)]


def _trailing_median_mad(r: np.ndarray, at: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Median and MAD of the (up to) `window` values before each index in `at`."""
    med, mad = np.empty(len(at)), np.empty(len(at))
    full = at >= window
    if full.any():
        wins = np.lib.stride_tricks.sliding_window_view(r, window)[at[full] - window]
        med[full] = np.median(wins, axis=1)
        mad[full] = np.median(np.abs(wins - med[full, None]), axis=1)
    for k in np.flatnonzero(~full):  # only the first `window` bars of a series
        past = r[: at[k]]
        med[k] = np.median(past)
        mad[k] = np.median(np.abs(past - med[k]))
    return med, mad


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
    if len(spread) == 0 or np.median(spread) <= 0:
        return []
    return [Issue("zero_spread", start, f"{length} bars with zero spread")
            for start, length in _runs(spread == 0, min_length)]
