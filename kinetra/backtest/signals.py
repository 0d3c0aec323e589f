"""A person's own signals: a CSV of (time, position) read, checked and laid onto a series' bars."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kinetra.backtest.spec import SymbolSpec, spec_for
from kinetra.errors import BacktestInputError, MalformedFileError

REQUIRED = ("time", "position")


def read_signals(path: str | Path) -> pd.Series:
    """Read a CSV with columns time (UTC) and position; return positions indexed by sorted UTC time.

    A missing file or column, an unparseable or duplicated time, or a non-numeric position raises
    MalformedFileError naming the file and the first bad line.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except FileNotFoundError:
        raise MalformedFileError(str(path), "no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise MalformedFileError(str(path), f"not a readable CSV ({str(err).splitlines()[0]})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise MalformedFileError(str(path), f"needs columns time,position (missing {', '.join(missing)})")
    times = pd.to_datetime(frame["time"], utc=True, errors="coerce", format="mixed")
    positions = pd.to_numeric(frame["position"], errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy() | ~np.isfinite(positions.to_numpy(dtype=float, na_value=np.nan)))
    if len(bad):
        row = frame.iloc[bad[0]]
        raise MalformedFileError(str(path), f"line {bad[0] + 2}: bad time or position ({row['time']!r}, {row['position']!r})")
    series = pd.Series(positions.to_numpy(dtype=float), index=pd.DatetimeIndex(times), name="position").sort_index()
    if series.index.has_duplicates:
        raise MalformedFileError(str(path), f"time {series.index[series.index.duplicated()][0]} appears twice")
    return series


def align_signals(signals: pd.Series, index: pd.DatetimeIndex) -> np.ndarray:
    """Give each bar the last signal at or before its time (0 before the first signal).

    A signal outside the bars' time span raises BacktestInputError: it could never act.
    """
    if len(index) == 0:
        raise BacktestInputError("no bars in the requested range")
    if len(signals) == 0:
        return np.zeros(len(index))
    first, last = index[0], index[-1]
    outside = signals.index[(signals.index < first) | (signals.index > last)]
    if len(outside):
        raise BacktestInputError(f"signal at {outside[0]:%Y-%m-%d %H:%M} UTC is outside the series "
                                 f"({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC)")
    at = np.searchsorted(signals.index.asi8, index.as_unit(signals.index.unit).asi8, side="right") - 1
    values = signals.to_numpy()
    return np.where(at >= 0, values[np.maximum(at, 0)], 0.0)


def load_series(store: Any, symbol: str, timeframe: str, broker: str | None = None,
                start: datetime | None = None, end: datetime | None = None) -> tuple[Any, pd.DataFrame, SymbolSpec]:
    """Return (series info, bars, symbol spec) of a stored series, the inputs of any backtest of it.

    The spec takes the broker's downloaded specification of the symbol, when there is one, between the
    shipped defaults and the user's symbols.toml.
    """
    from kinetra.data.inventory import find_series, load_bars

    info = find_series(store, symbol, timeframe, broker)
    bars = load_bars(store, info.id, start, end)
    if bars.empty:
        raise BacktestInputError(f"no bars of {info.symbol} {info.timeframe} in the requested range")
    return info, bars, series_spec(store, info)


def series_spec(store: Any, info: Any) -> SymbolSpec:
    """The spec a stored series is backtested with: shipped < the broker's downloaded spec < symbols.toml."""
    from kinetra.data.broker_specs import stored_spec

    downloaded = stored_spec(store, info.broker, info.symbol)
    return spec_for(info.symbol, info.asset_class, downloaded.values if downloaded else None)
