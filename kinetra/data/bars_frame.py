"""The canonical in-memory form of bars on their way into the store."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BAR_COLUMNS = ("open", "high", "low", "close", "tick_volume", "volume", "spread")


@dataclass
class PreparedSeries:
    """Bars of one series, validated and in UTC, ready to be written in one transaction."""

    broker: str
    symbol: str
    timeframe: str
    asset_class: str
    source: str
    origin: str
    frame: pd.DataFrame
    """Columns ts (datetime64, naive UTC, sorted, unique) and BAR_COLUMNS."""
    is_demo: bool = False
    rejected: list[dict] = field(default_factory=list)
    """Rows left out, each {line, reason}."""
    rejected_count: int = 0


def frame_from_arrays(ts_seconds: np.ndarray, **columns: np.ndarray) -> pd.DataFrame:
    """Build a bars frame from UTC epoch seconds and the bar columns."""
    data = {"ts": (ts_seconds * 1_000_000).view("datetime64[us]")} | {name: columns[name] for name in BAR_COLUMNS}
    return pd.DataFrame(data, copy=False)


def store_frame(bars: pd.DataFrame) -> pd.DataFrame:
    """Turn bars indexed by tz-aware UTC time into the store's form: a naive-UTC `ts` column + BAR_COLUMNS."""
    frame = bars.reset_index()
    frame = frame.rename(columns={frame.columns[0]: "ts"})
    frame["ts"] = pd.to_datetime(frame["ts"]).dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    return frame[["ts", *BAR_COLUMNS]]


def modal_spacing(ts_seconds: np.ndarray, likely: int | None = None) -> int | None:
    """Return the most common spacing in seconds between sorted unique bar times.

    A `likely` spacing (the timeframe's) that separates more than half of the bars is the mode, found without a sort.
    """
    if len(ts_seconds) < 2:
        return None
    diffs = np.diff(ts_seconds)
    diffs = diffs[diffs > 0]
    if len(diffs) == 0:
        return None
    if likely is not None and 2 * np.count_nonzero(diffs == likely) > len(diffs):
        return int(likely)
    values, counts = np.unique(diffs, return_counts=True)
    return int(values[np.argmax(counts)])
