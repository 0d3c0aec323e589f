"""Bar checks find exactly what was injected: no misses, no extras."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinetra.data.health import checks
from kinetra.data.mt5_csv import parse_mt5_csv
from kinetra.data.synthetic import DEMO_SYMBOLS, demo_dataset, generate_bars
from tests.support.mt5 import SHARED_MT5

END = pd.Timestamp("2026-11-20 21:00", tz="UTC")


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return generate_bars(DEMO_SYMBOLS[0], "H1", END - pd.Timedelta(days=300), END, seed=5)


def arrays(bars: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(bars[c].to_numpy().copy() for c in ("open", "high", "low", "close"))


def test_a_clean_series_raises_nothing(clean) -> None:
    o, h, lo, c = arrays(clean)
    ts = clean.index.as_unit("s").asi8
    found = (checks.time_order(ts) + checks.ohlc(o, h, lo, c) + checks.non_positive(o, h, lo, c)
             + checks.spikes(c) + checks.stale(o, h, lo, c) + checks.zero_spread(clean["spread"].to_numpy()))
    assert found == []


def test_duplicates_and_backward_times_are_flagged_where_they_are() -> None:
    ts = np.array([0, 3600, 3600, 7200, 5400, 10800])
    assert [(i.kind, i.index) for i in checks.time_order(ts)] == [("duplicate", 2), ("non_monotonic", 4)]


def test_ohlc_violations_and_non_positive_prices_are_flagged_exactly(clean) -> None:
    o, h, lo, c = arrays(clean)
    h[10] = max(o[10], c[10]) - 0.001   # high below the body
    lo[20] = min(o[20], c[20]) + 0.001  # low above the body
    c[30] = -1.0                        # a negative close also breaks the range
    assert [i.index for i in checks.ohlc(o, h, lo, c)] == [10, 20, 30]
    assert [i.index for i in checks.non_positive(o, h, lo, c)] == [30]


def test_the_demo_spike_is_the_only_spike_found() -> None:
    gbp = next(s for s in demo_dataset(seed=7) if (s.symbol, s.timeframe) == ("GBPUSD", "H1"))
    [spike] = [d for d in gbp.defects if d["kind"] == "spike"]
    found = checks.spikes(gbp.bars["close"].to_numpy())
    assert [gbp.bars.index[i.index] for i in found] == [spike["at"]]


@pytest.mark.parametrize("series", [s for s in demo_dataset(seed=7) if s.timeframe == "H1" and s.symbol != "GBPUSD"],
                         ids=lambda s: s.symbol)
def test_no_spikes_in_the_clean_demo_markets(series) -> None:
    assert checks.spikes(series.bars["close"].to_numpy()) == []


def test_stale_runs_and_zero_spread_runs_are_found_with_their_length(clean) -> None:
    o, h, lo, c = arrays(clean)
    o[101:108], h[101:108], lo[101:108], c[101:108] = o[100], h[100], lo[100], c[100]
    [run] = checks.stale(o, h, lo, c)
    assert (run.index, run.detail) == (101, "7 bars repeat the bar before")
    spread = clean["spread"].to_numpy().copy()
    spread[200:206] = 0
    spread[300:302] = 0  # too short to matter
    assert [(i.index, i.detail) for i in checks.zero_spread(spread)] == [(200, "6 bars with zero spread")]
    assert checks.zero_spread(np.zeros(50, dtype=np.int64)) == []  # a zero-spread feed is not a defect


@pytest.mark.skipif(not SHARED_MT5.is_dir(), reason="shared MT5 exports not present")
def test_the_real_exports_have_no_spikes_at_the_default_threshold() -> None:
    for path in SHARED_MT5.glob("*.csv"):
        assert checks.spikes(parse_mt5_csv(path).close) == [], path.name
