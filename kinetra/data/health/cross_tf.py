"""Cross-timeframe consistency: a coarse series against the finer bars of the same symbol aggregated up.

Only buckets the finer series holds completely (every slot its learned calendar expects) are
compared, so a gap in the finer series is reported once, as a gap, and never again as a mismatch.
Buckets start at the coarse bars' own times, so a broker whose H4 bars are not aligned to UTC
(server time UTC+2, say) is compared on its own grid.
"""

from __future__ import annotations

import numpy as np

from kinetra.data.health.checks import Issue
from kinetra.data.health.session_calendar import Calendar, week_slot

PRICE_FIELDS = ("open", "high", "low", "close")
RTOL = 1e-9  # prices parsed from the same text are bit-identical; this only absorbs float formatting


def finer_partner(timeframe_seconds: int, held: dict[str, int]) -> str | None:
    """The finest held timeframe that tiles `timeframe_seconds` (e.g. H1 for H4), or None."""
    fits = [(secs, tf) for tf, secs in held.items() if secs < timeframe_seconds and timeframe_seconds % secs == 0]
    return max(fits)[1] if fits else None


def compare(coarse: dict[str, np.ndarray], coarse_step: int, fine: dict[str, np.ndarray], fine_cal: Calendar,
            coarse_tf: str, fine_tf: str) -> list[Issue]:
    """Flag coarse bars whose OHLC differ from their complete bucket of fine bars aggregated."""
    cts = np.asarray(coarse["ts"], dtype=np.int64)
    fts = np.asarray(fine["ts"], dtype=np.int64)
    if len(cts) == 0 or len(fts) == 0:
        return []
    lo = np.searchsorted(fts, cts, side="left")
    hi = np.searchsorted(fts, cts + coarse_step, side="left")
    offsets = np.arange(0, coarse_step, fine_cal.step, dtype=np.int64)
    expected = fine_cal.open[week_slot(cts[:, None] + offsets[None, :], fine_cal.slot)].sum(axis=1)
    complete = (hi - lo == expected) & (expected > 0)
    idx = np.flatnonzero(complete)
    if not len(idx):
        return []
    first, last = lo[idx], hi[idx] - 1
    counts = hi[idx] - lo[idx]
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    rows = np.arange(int(counts.sum())) + np.repeat(lo[idx] - starts, counts)  # fine rows, bucket by bucket
    agg = {
        "open": np.asarray(fine["open"], dtype=np.float64)[first],
        "high": np.maximum.reduceat(np.asarray(fine["high"], dtype=np.float64)[rows], starts),
        "low": np.minimum.reduceat(np.asarray(fine["low"], dtype=np.float64)[rows], starts),
        "close": np.asarray(fine["close"], dtype=np.float64)[last],
    }
    bad = np.zeros(len(idx), dtype=bool)
    for name in PRICE_FIELDS:
        bad |= ~np.isclose(np.asarray(coarse[name], dtype=np.float64)[idx], agg[name], rtol=RTOL, atol=0.0)
    out = []
    for k in np.flatnonzero(bad):
        i = int(idx[k])
        diffs = [f"{n} {float(coarse[n][i]):g} vs {agg[n][k]:g}" for n in PRICE_FIELDS
                 if not np.isclose(float(coarse[n][i]), agg[n][k], rtol=RTOL, atol=0.0)]
        out.append(Issue("cross_timeframe", i, f"{coarse_tf} disagrees with its {fine_tf} bars: " + ", ".join(diffs)))
    return out
