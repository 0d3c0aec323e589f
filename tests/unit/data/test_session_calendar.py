"""Learned session calendars: weekends and daily breaks come out of the data; gaps are exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinetra.data.health.session_calendar import find_gaps, learn_calendar, week_slot
from kinetra.data.synthetic import DEMO_SYMBOLS, demo_dataset, generate_bars, session_open

END = pd.Timestamp("2026-11-20 21:00", tz="UTC")


def seconds(index: pd.DatetimeIndex) -> np.ndarray:
    return index.as_unit("s").asi8


@pytest.fixture(scope="module")
def demo() -> dict:
    return {(s.symbol, s.timeframe): s for s in demo_dataset(seed=7)}


def test_week_slots_count_from_monday_midnight_utc() -> None:
    stamps = pd.DatetimeIndex(["2026-11-16 00:00", "2026-11-16 01:00", "2026-11-22 23:00"], tz="UTC")
    assert week_slot(seconds(stamps), 3600).tolist() == [0, 1, 167]


@pytest.mark.parametrize("symbol", [s.symbol for s in DEMO_SYMBOLS])
def test_the_learned_calendar_is_the_market_calendar(demo, symbol: str) -> None:
    series = demo[(symbol, "H1")]
    cal = learn_calendar(seconds(series.bars.index), 3600)
    week = pd.date_range("2026-11-16", periods=168, freq="h", tz="UTC")
    session = next(s.session for s in DEMO_SYMBOLS if s.symbol == symbol)
    assert cal.open.tolist() == session_open(week, session).tolist()


@pytest.mark.parametrize("symbol", ["EURUSD", "US500", "UKOUSD", "BTCUSD"])
def test_an_unmodified_series_has_no_gaps(demo, symbol: str) -> None:
    ts = seconds(demo[(symbol, "H1")].bars.index)
    starts, _, _ = find_gaps(ts, learn_calendar(ts, 3600))
    assert len(starts) == 0


def test_the_injected_demo_gap_is_found_exactly(demo) -> None:
    series = demo[("XAUUSD", "H1")]
    [gap] = series.defects if series.defects[0]["kind"] == "gap" else series.defects[1:]
    ts = seconds(series.bars.index)
    starts, ends, missing = find_gaps(ts, learn_calendar(ts, 3600))
    assert pd.to_datetime(starts, unit="s", utc=True).tolist() == [gap["start"]]
    assert pd.to_datetime(ends, unit="s", utc=True).tolist() == [gap["end"]]
    assert missing.tolist() == [gap["missing_bars"]]


BASE = generate_bars(DEMO_SYMBOLS[2], "H1", END - pd.Timedelta(days=200), END, seed=3)  # metals: daily break


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=5, max_value=len(BASE) - 10), st.integers(min_value=1, max_value=6)),
                max_size=4))
def test_injected_gaps_are_found_with_no_misses_and_no_extras(holes) -> None:
    ts = seconds(BASE.index)
    keep = np.ones(len(ts), dtype=bool)
    for start, length in holes:
        keep[start:start + length] = False
    kept = ts[keep]
    cal = learn_calendar(ts, 3600)
    starts, ends, missing = find_gaps(kept, cal)
    dropped = ts[~keep]
    assert missing.sum() == len(dropped)
    found = np.concatenate([ts[(ts >= s) & (ts <= e)] for s, e in zip(starts, ends, strict=True)]) if len(starts) else ts[:0]
    assert np.array_equal(np.sort(found), dropped)
