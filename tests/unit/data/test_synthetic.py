"""The synthetic market: deterministic, valid bars, real calendars, consistent timeframes, known defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinetra.data.synthetic import DEMO_SYMBOLS, aggregate, demo_dataset, generate_bars, session_open

END = pd.Timestamp("2026-11-20 21:00", tz="UTC")


@pytest.fixture(scope="module")
def demo() -> dict[tuple[str, str], object]:
    return {(s.symbol, s.timeframe): s for s in demo_dataset(seed=7)}


def test_same_seed_same_bars_other_seed_other_bars() -> None:
    sym = DEMO_SYMBOLS[0]
    start = END - pd.Timedelta(days=30)
    a, b = generate_bars(sym, "H1", start, END, seed=1), generate_bars(sym, "H1", start, END, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["close"], generate_bars(sym, "H1", start, END, seed=2)["close"])


def test_every_bar_is_valid(demo) -> None:
    for series in demo.values():
        bars = series.bars
        assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all(), series.symbol
        assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all(), series.symbol
        assert (bars[["open", "high", "low", "close"]] > 0).all().all()
        assert (bars["spread"] > 0).all() and (bars["tick_volume"] > 0).all()
        assert bars.index.is_monotonic_increasing and bars.index.is_unique and str(bars.index.tz) == "UTC"
        step = {"M15": "15min", "H1": "h", "H4": "4h"}[series.timeframe]
        assert (bars.index == bars.index.floor(step)).all()


def test_the_dataset_covers_five_classes_two_years_and_m15_for_one(demo) -> None:
    classes = {s.asset_class for s in demo.values()}
    assert classes == {"forex", "metals", "indices", "energy", "crypto"}
    assert len({s.symbol for s in demo.values()}) >= 6
    assert [k for k in demo if k[1] == "M15"] == [("EURUSD", "M15")]
    span = demo[("EURUSD", "H1")].bars.index[-1] - demo[("EURUSD", "H1")].bars.index[0]
    assert span >= pd.Timedelta(days=729)


def test_calendars_weekends_daily_breaks_and_seven_day_crypto(demo) -> None:
    for (symbol, tf), series in demo.items():
        if tf != "H1":
            continue
        idx = series.bars.index
        saturday = (idx.day_of_week == 5).sum()
        if series.asset_class == "crypto":
            assert saturday > 0
        else:
            assert saturday == 0, symbol
    weekday = lambda idx: idx.day_of_week < 4  # noqa: E731 - Mon..Thu, away from the weekend edges
    gold = demo[("XAUUSD", "H1")].bars.index
    assert not (weekday(gold) & (gold.hour == 22)).any()
    index = demo[("US500", "H1")].bars.index
    assert not (weekday(index) & (index.hour == 21)).any()
    brent = demo[("UKOUSD", "H1")].bars.index
    assert not (brent.hour.isin([23, 0])).any()
    fx = demo[("EURUSD", "H1")].bars.index
    assert (weekday(fx) & (fx.hour == 22)).any()


def test_session_open_fx_week_runs_sunday_22_to_friday_22() -> None:
    times = pd.DatetimeIndex(["2026-11-15 21:00", "2026-11-15 22:00", "2026-11-20 21:00", "2026-11-20 22:00"], tz="UTC")
    assert session_open(times, "fx").tolist() == [False, True, True, False]


def test_coarser_timeframes_are_exact_aggregates(demo) -> None:
    def resample(bars: pd.DataFrame, rule: str) -> pd.DataFrame:
        out = bars.resample(rule).agg({"open": "first", "high": "max", "low": "min", "close": "last",
                                       "tick_volume": "sum", "volume": "sum", "spread": "max"})
        return out.dropna(subset=["open"]).astype(bars.dtypes.to_dict())
    for symbol in ("EURUSD", "XAUUSD", "BTCUSD"):
        h1, h4 = demo[(symbol, "H1")].bars, demo[(symbol, "H4")].bars
        pd.testing.assert_frame_equal(resample(h1, "4h"), h4, check_freq=False, check_names=False)
    pd.testing.assert_frame_equal(resample(demo[("EURUSD", "M15")].bars, "h"), demo[("EURUSD", "H1")].bars,
                                  check_freq=False, check_names=False)


def test_the_injected_gap_is_exactly_missing(demo) -> None:
    series = demo[("XAUUSD", "H1")]
    [gap] = [d for d in series.defects if d["kind"] == "gap"]
    hours = pd.date_range(gap["start"], gap["end"], freq="h")
    assert len(hours) == gap["missing_bars"] == 5
    assert not hours.isin(series.bars.index).any()
    before, after = gap["start"] - pd.Timedelta(hours=1), gap["end"] + pd.Timedelta(hours=1)
    assert before in series.bars.index and after in series.bars.index
    assert gap["start"].day_of_week == 2


def test_the_injected_spike_is_the_one_extreme_return(demo) -> None:
    series = demo[("GBPUSD", "H1")]
    [spike] = [d for d in series.defects if d["kind"] == "spike"]
    ret = np.log(series.bars["close"]).diff().dropna()
    robust = (ret - ret.median()).abs() / (1.4826 * (ret - ret.median()).abs().median())
    assert robust.idxmax() == spike["at"]
    assert robust.loc[spike["at"]] > 12
    assert (robust.drop([spike["at"], spike["at"] + pd.Timedelta(hours=1)]) < robust.loc[spike["at"]] / 2).all()


def test_volatility_regimes_exist(demo) -> None:
    ret = np.log(demo[("EURUSD", "H1")].bars["close"]).diff()
    vol = ret.rolling(120).std().dropna()
    assert vol.quantile(0.9) > 2 * vol.quantile(0.1)


def test_aggregate_of_the_base_timeframe_is_a_copy(demo) -> None:
    bars = demo[("EURUSD", "M15")].bars
    pd.testing.assert_frame_equal(aggregate(bars, "M15"), bars)
