"""Inventory reads: series list, lookup, bars windows, summary."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from kinetra.data.bars_frame import BAR_COLUMNS, PreparedSeries
from kinetra.data.writer import write_series
from kinetra.data.inventory import find_series, list_series, load_bars, summary
from kinetra.errors import UnknownSeriesError
from kinetra.store import Store


def _prepared(symbol: str, tf: str, n: int, broker: str = "mt5", demo: bool = False) -> PreparedSeries:
    frame = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=n, freq="h").as_unit("us")})
    for i, col in enumerate(BAR_COLUMNS):
        frame[col] = np.arange(n, dtype=float) + i if i < 4 else np.arange(n)
    return PreparedSeries(broker=broker, symbol=symbol, timeframe=tf, asset_class="forex", source="test",
                          origin="test", frame=frame, is_demo=demo)


def test_series_list_counts_bars_and_extent(store: Store) -> None:
    write_series(store, [_prepared("EURUSD", "H1", 10), _prepared("AAA", "H4", 3, demo=True)])
    listed = list_series(store)
    assert [(s.symbol, s.timeframe, s.bars, s.is_demo) for s in listed] == [("AAA", "H4", 3, True), ("EURUSD", "H1", 10, False)]
    assert listed[1].first == datetime(2024, 1, 1) and listed[1].last == datetime(2024, 1, 1, 9)
    assert summary(store) == {"series": 2, "demo_series": 1, "bars": 13, "symbols": 2, "revisions": 0,
                              "last_bar": "2024-01-01T09:00:00Z"}


def test_an_empty_store_summarises_to_zeros(store: Store) -> None:
    assert summary(store) == {"series": 0, "demo_series": 0, "bars": 0, "symbols": 0, "revisions": 0, "last_bar": None}


def test_find_series_is_case_insensitive_and_asks_for_a_broker_when_ambiguous(store: Store) -> None:
    write_series(store, [_prepared("EURUSD", "H1", 2), _prepared("EURUSD", "H1", 2, broker="icm")])
    with pytest.raises(UnknownSeriesError, match="several brokers"):
        find_series(store, "eurusd", "h1")
    assert find_series(store, "eurusd", "h1", broker="icm").broker == "icm"
    with pytest.raises(UnknownSeriesError, match="no series GBPUSD H1"):
        find_series(store, "GBPUSD", "H1")


def test_load_bars_windows_and_latest(store: Store) -> None:
    write_series(store, [_prepared("EURUSD", "H1", 10)])
    sid = find_series(store, "EURUSD", "H1").id
    window = load_bars(store, sid, start=datetime(2024, 1, 1, 2), end=pd.Timestamp("2024-01-01 04:00", tz="UTC"))
    assert list(window.index.hour) == [2, 3, 4] and list(window.columns) == list(BAR_COLUMNS)
    latest = load_bars(store, sid, limit=3, latest=True)
    assert list(latest.index.hour) == [7, 8, 9] and latest["close"].tolist() == [10.0, 11.0, 12.0]
