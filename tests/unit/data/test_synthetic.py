"""The synthetic market: deterministic, valid bars, real calendars, consistent timeframes, known defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinetra.data.synthetic import (
    DEMO_SYMBOLS,
    SyntheticSeries,
    UnsupportedTimeframeError,
    aggregate,
    demo_dataset,
    generate_bars,
    session_open,
)

END = pd.Timestamp("2026-11-20 21:00", tz="UTC")
START = pd.Timestamp("2024-11-20 00:00", tz="UTC")  # the demo's first day: END minus 731 days, floored
STEP = {"M5": "5min", "M15": "15min", "M20": "20min", "H1": "h", "H4": "4h"}
SESSION = {s.symbol: s.session for s in DEMO_SYMBOLS}
COLUMNS = ["open", "high", "low", "close", "tick_volume", "volume", "spread"]
AGG = dict(zip(COLUMNS, ["first", "max", "min", "last", "sum", "sum", "max"], strict=True))


@pytest.fixture(scope="module")
def demo() -> dict[tuple[str, str], SyntheticSeries]:
    return {(s.symbol, s.timeframe): s for s in demo_dataset(seed=7)}


def assert_same(left: pd.DataFrame, right: pd.DataFrame, **kwargs: bool) -> None:
    """Frames are equal to the bit (and far faster to compare than with a float tolerance)."""
    pd.testing.assert_frame_equal(left, right, check_exact=True, **kwargs)


def resample(bars: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The reference aggregation, done independently with pandas resample."""
    out = bars.resample(rule).agg(AGG)
    return out.dropna(subset=["open"]).astype(bars.dtypes.to_dict())


def robust_z(close: pd.Series) -> pd.Series:
    """|log return - median| in units of 1.4826 x the median absolute deviation."""
    ret = np.log(close).diff().dropna()
    dev = (ret - ret.median()).abs()
    return dev / (1.4826 * dev.median())


# --- determinism ------------------------------------------------------------------------------

def test_same_seed_same_bars_other_seed_other_bars() -> None:
    sym = DEMO_SYMBOLS[0]
    start = END - pd.Timedelta(days=30)
    a, b = generate_bars(sym, "H1", start, END, seed=1), generate_bars(sym, "H1", start, END, seed=1)
    assert_same(a, b)
    assert not np.array_equal(a["close"], generate_bars(sym, "H1", start, END, seed=2)["close"])


def test_the_global_numpy_state_does_not_leak_in() -> None:
    sym, start = DEMO_SYMBOLS[3], END - pd.Timedelta(days=10)
    np.random.seed(0)
    a = generate_bars(sym, "M15", start, END, seed=4)
    np.random.seed(1)
    np.random.random(100)
    assert_same(a, generate_bars(sym, "M15", start, END, seed=4))


def test_the_demo_dataset_is_reproducible_and_seeded(demo) -> None:
    again = demo_dataset(seed=7)
    assert [(s.symbol, s.timeframe) for s in again] == list(demo)
    for series in again:
        assert_same(series.bars, demo[(series.symbol, series.timeframe)].bars)
        assert series.defects == demo[(series.symbol, series.timeframe)].defects
    for series in demo_dataset(seed=8):
        mine = demo[(series.symbol, series.timeframe)].bars
        assert series.bars.index.equals(mine.index) or series.symbol == "XAUUSD"  # the calendar is not seeded
        assert not np.array_equal(series.bars["close"].to_numpy()[:100], mine["close"].to_numpy()[:100]), series.symbol


def test_each_symbol_draws_its_own_path() -> None:
    start = END - pd.Timedelta(days=20)
    eur, gbp = (generate_bars(s, "H1", start, END, seed=1) for s in DEMO_SYMBOLS[:2])
    assert eur.index.equals(gbp.index)
    assert abs(np.corrcoef(np.log(eur["close"]).diff()[1:], np.log(gbp["close"]).diff()[1:])[0, 1]) < 0.3


# --- bar validity -------------------------------------------------------------------------------

def test_every_bar_is_valid(demo) -> None:
    for (symbol, tf), series in demo.items():
        bars = series.bars
        digits = next(s.digits for s in DEMO_SYMBOLS if s.symbol == symbol)
        assert list(bars.columns) == COLUMNS
        assert bars.dtypes.astype(str).tolist() == ["float64"] * 4 + ["int64"] * 3
        assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all(), symbol
        assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all(), symbol
        assert (bars[["open", "high", "low", "close"]] > 0).all().all()
        assert (bars["spread"] > 0).all() and (bars["tick_volume"] > 0).all() and (bars["volume"] == 0).all()
        points = bars[["open", "high", "low", "close"]].to_numpy() * 10**digits
        assert np.abs(points - np.round(points)).max() < 1e-6, symbol  # prices sit on the symbol's digits
        idx = bars.index
        assert idx.name == "time" and str(idx.tz) == "UTC"
        assert idx.is_monotonic_increasing and idx.is_unique
        assert (idx == idx.floor(STEP[tf])).all(), (symbol, tf)


def test_opens_continue_from_the_previous_close(demo) -> None:
    for tf in ("M15", "H1", "H4"):
        bars = demo[("EURUSD", tf)].bars
        assert (bars["open"].to_numpy()[1:] == bars["close"].to_numpy()[:-1]).all(), tf


def test_the_dataset_covers_five_classes_two_years_and_m15_for_one(demo) -> None:
    classes = {s.asset_class for s in demo.values()}
    assert classes == {"forex", "metals", "indices", "energy", "crypto"}
    assert {s.symbol for s in demo.values()} >= {"EURUSD", "GBPUSD", "XAUUSD", "US500", "UKOUSD", "BTCUSD"}
    assert [k for k in demo if k[1] == "M15"] == [("EURUSD", "M15")]
    assert all((symbol, tf) in demo for symbol in SESSION for tf in ("H1", "H4"))
    for series in demo.values():
        assert series.bars.index[0] < START + pd.Timedelta(days=1)
        assert series.bars.index[-1] >= END - pd.Timedelta(hours=4)
        assert series.bars.index[-1] < END
    span = demo[("EURUSD", "H1")].bars.index[-1] - demo[("EURUSD", "H1")].bars.index[0]
    assert span >= pd.Timedelta(days=730)


# --- calendars ----------------------------------------------------------------------------------

def test_calendars_weekends_daily_breaks_and_seven_day_crypto(demo) -> None:
    for (symbol, tf), series in demo.items():
        idx = series.bars.index
        saturday = (idx.day_of_week == 5).sum()
        if series.asset_class == "crypto":
            assert saturday > 0
            assert set(idx.day_of_week) == set(range(7)) and (tf != "H1" or len(set(idx.hour)) == 24)
        else:
            assert saturday == 0, (symbol, tf)
    weekday = lambda idx: idx.day_of_week <= 4  # noqa: E731 - Monday..Friday
    gold = demo[("XAUUSD", "H1")].bars.index
    assert not (weekday(gold) & (gold.hour == 22)).any()
    assert (weekday(gold) & (gold.hour == 23)).any() and (weekday(gold) & (gold.hour == 21)).any()
    index = demo[("US500", "H1")].bars.index
    assert not (weekday(index) & (index.hour == 21)).any()
    assert (weekday(index) & (index.hour == 22)).any()
    brent = demo[("UKOUSD", "H1")].bars.index
    assert not brent.hour.isin([23, 0]).any()
    assert brent.hour.isin([1, 22]).any() and not (brent.day_of_week == 6).any()
    fx = demo[("EURUSD", "H1")].bars.index
    assert (weekday(fx) & (fx.hour == 22)).any()


@pytest.mark.parametrize("symbol", list(SESSION))
def test_every_open_slot_has_a_bar_and_no_closed_slot_does(demo, symbol: str) -> None:
    series = demo[(symbol, "H1")]
    grid = pd.date_range(START, END, freq="h", inclusive="left")
    expected = grid[session_open(grid, SESSION[symbol])]
    for gap in series.defects:
        if gap["kind"] == "gap":
            expected = expected.difference(pd.date_range(gap["start"], gap["end"], freq="h"))
    assert series.bars.index.equals(expected.as_unit(series.bars.index.unit))


def test_the_m15_calendar_is_the_fx_calendar_at_15_minutes(demo) -> None:
    grid = pd.date_range(START, END, freq="15min", inclusive="left")
    idx = demo[("EURUSD", "M15")].bars.index
    assert idx.equals(grid[session_open(grid, "fx")].as_unit(idx.unit))


@pytest.mark.parametrize(("session", "times", "expected"), [
    ("fx", ["2026-11-15 21:00", "2026-11-15 22:00", "2026-11-18 22:00", "2026-11-20 21:00", "2026-11-20 22:00"],
     [False, True, True, True, False]),
    ("metals", ["2026-11-15 22:00", "2026-11-15 23:00", "2026-11-18 21:00", "2026-11-18 22:00", "2026-11-18 23:00",
                "2026-11-20 21:00", "2026-11-20 22:00"], [False, True, True, False, True, True, False]),
    ("indices", ["2026-11-15 22:00", "2026-11-15 23:00", "2026-11-18 20:00", "2026-11-18 21:00", "2026-11-18 22:00",
                 "2026-11-20 20:00", "2026-11-20 21:00"], [False, True, True, False, True, True, False]),
    ("energy", ["2026-11-16 00:00", "2026-11-16 01:00", "2026-11-18 22:00", "2026-11-18 23:00", "2026-11-20 20:00",
                "2026-11-20 21:00", "2026-11-15 12:00"], [False, True, True, False, True, False, False]),
    ("crypto", ["2026-11-21 03:00", "2026-11-22 12:00", "2026-11-18 22:00"], [True, True, True]),
])
def test_session_open_edges(session: str, times: list[str], expected: list[bool]) -> None:
    assert session_open(pd.DatetimeIndex(times, tz="UTC"), session).tolist() == expected


# --- timeframes agree ---------------------------------------------------------------------------

@pytest.mark.parametrize("symbol", list(SESSION))
def test_h4_is_exactly_the_aggregate_of_h1(demo, symbol: str) -> None:
    h1, h4 = demo[(symbol, "H1")].bars, demo[(symbol, "H4")].bars
    assert_same(resample(h1, "4h"), h4, check_freq=False, check_names=False)


def test_h1_and_h4_are_exact_aggregates_of_m15(demo) -> None:
    m15 = demo[("EURUSD", "M15")].bars
    for tf, rule in (("H1", "h"), ("H4", "4h")):
        assert_same(resample(m15, rule), demo[("EURUSD", tf)].bars, check_freq=False, check_names=False)


def test_generate_bars_timeframes_share_one_path() -> None:
    sym, start = DEMO_SYMBOLS[2], pd.Timestamp("2026-10-05", tz="UTC")
    m15 = generate_bars(sym, "M15", start, END, seed=9)
    for tf, rule in (("H1", "h"), ("H4", "4h"), ("D1", "D")):
        assert_same(generate_bars(sym, tf, start, END, seed=9), resample(m15, rule),
                                      check_freq=False, check_names=False)


def test_finer_and_odd_timeframes_are_aligned_and_aggregate_their_own_path() -> None:
    sym, start = DEMO_SYMBOLS[0], END - pd.Timedelta(days=5)
    m5 = generate_bars(sym, "M5", start, END, seed=2)
    assert (m5.index == m5.index.floor("5min")).all() and len(m5) == 12 * 24 * 4 + 12 * 23  # Mon 21:00 .. Fri 21:00
    m20 = generate_bars(sym, "m20", start, END, seed=2)
    assert (m20.index == m20.index.floor("20min")).all()
    assert_same(m20, resample(m5, "20min"), check_freq=False, check_names=False)


def test_a_start_inside_a_bucket_leaves_that_bucket_out() -> None:
    sym = DEMO_SYMBOLS[0]
    h4 = generate_bars(sym, "H4", pd.Timestamp("2026-11-18 10:07", tz="UTC"), END, seed=1)
    h1 = generate_bars(sym, "H1", pd.Timestamp("2026-11-18 10:07", tz="UTC"), END, seed=1)
    assert h4.index[0] == pd.Timestamp("2026-11-18 12:00", tz="UTC")
    assert h1.index[0] == pd.Timestamp("2026-11-18 11:00", tz="UTC")


def test_naive_times_are_utc_and_names_are_case_insensitive() -> None:
    sym, start = DEMO_SYMBOLS[1], END - pd.Timedelta(days=7)
    assert_same(generate_bars(sym, "h1", start.tz_localize(None), END.tz_localize(None), seed=3),
                                  generate_bars(sym, "H1", start, END, seed=3))
    other_tz = generate_bars(sym, "H1", start.tz_convert("Asia/Tokyo"), END.tz_convert("Asia/Tokyo"), seed=3)
    assert_same(other_tz, generate_bars(sym, "H1", start, END, seed=3))


def test_a_closed_window_gives_an_empty_well_typed_frame() -> None:
    weekend = generate_bars(DEMO_SYMBOLS[0], "H1", pd.Timestamp("2026-11-21", tz="UTC"),
                            pd.Timestamp("2026-11-22", tz="UTC"), seed=1)
    assert weekend.empty and list(weekend.columns) == COLUMNS
    assert weekend.dtypes.astype(str).tolist() == ["float64"] * 4 + ["int64"] * 3 and str(weekend.index.tz) == "UTC"
    assert not generate_bars(DEMO_SYMBOLS[5], "H1", pd.Timestamp("2026-11-21", tz="UTC"),
                             pd.Timestamp("2026-11-22", tz="UTC"), seed=1).empty


def test_weekly_and_monthly_bars_are_refused() -> None:
    for tf in ("W1", "MN1"):
        with pytest.raises(UnsupportedTimeframeError):
            generate_bars(DEMO_SYMBOLS[0], tf, END - pd.Timedelta(days=60), END, seed=1)
    with pytest.raises(UnsupportedTimeframeError):
        aggregate(generate_bars(DEMO_SYMBOLS[0], "H1", END - pd.Timedelta(days=3), END, seed=1), "W1")


def test_aggregate_of_the_base_timeframe_is_a_copy(demo) -> None:
    bars = demo[("EURUSD", "M15")].bars
    copy = aggregate(bars, "M15")
    assert_same(copy, bars)
    assert copy is not bars


# --- injected defects ---------------------------------------------------------------------------

def test_the_injected_gap_is_exactly_missing(demo) -> None:
    series = demo[("XAUUSD", "H1")]
    [gap] = series.defects
    assert gap == {"kind": "gap", "timeframe": "H1", "start": pd.Timestamp("2025-11-26 09:00", tz="UTC"),
                   "end": pd.Timestamp("2025-11-26 13:00", tz="UTC"), "missing_bars": 5}
    hours = pd.date_range(gap["start"], gap["end"], freq="h")
    assert len(hours) == gap["missing_bars"] == 5
    assert session_open(hours, "metals").all()  # the hours would normally trade
    assert not hours.isin(series.bars.index).any()
    before, after = gap["start"] - pd.Timedelta(hours=1), gap["end"] + pd.Timedelta(hours=1)
    assert before in series.bars.index and after in series.bars.index
    assert gap["start"].day_of_week == 2
    h4 = demo[("XAUUSD", "H4")].bars
    assert h4.loc[pd.Timestamp("2025-11-26 08:00", tz="UTC"), "close"] == series.bars.loc[before, "close"]
    assert h4.loc[pd.Timestamp("2025-11-26 12:00", tz="UTC"), "open"] == series.bars.loc[after, "open"]
    assert demo[("XAUUSD", "H4")].defects == [gap]


def test_only_the_two_demo_markets_carry_defects(demo) -> None:
    carrying = {(k, d["kind"]) for k, s in demo.items() for d in s.defects}
    assert carrying == {(("XAUUSD", "H1"), "gap"), (("XAUUSD", "H4"), "gap"),
                        (("GBPUSD", "H1"), "spike"), (("GBPUSD", "H4"), "spike")}


def test_the_injected_spike_is_the_one_extreme_return(demo) -> None:
    series = demo[("GBPUSD", "H1")]
    [spike] = series.defects
    at, after = spike["at"], spike["at"] + pd.Timedelta(hours=1)
    z = robust_z(series.bars["close"])
    assert z.idxmax() == at
    assert z.loc[at] > 12
    assert (z.drop([at, after]) < z.loc[at] / 2).all()
    assert (z.drop([at, after]) < 6 * 2.5).all()  # nothing else comes near
    assert series.bars.loc[at, "close"] == spike["price"]
    ret = np.log(series.bars["close"]).diff()
    assert ret.loc[after] < -0.8 * ret.loc[at]  # it snaps back the next bar


def test_the_clean_markets_have_no_bar_as_extreme_as_the_spike(demo) -> None:
    spike = robust_z(demo[("GBPUSD", "H1")].bars["close"]).max()
    for symbol in SESSION:
        if symbol != "GBPUSD":
            assert robust_z(demo[(symbol, "H1")].bars["close"]).max() < spike / 2, symbol


def test_a_short_demo_still_injects_consistent_defects() -> None:
    short = {(s.symbol, s.timeframe): s for s in demo_dataset(seed=3, end=pd.Timestamp("2026-03-06 12:00"), years=0.05)}
    [gap] = short[("XAUUSD", "H1")].defects
    hours = pd.date_range(gap["start"], gap["end"], freq="h")
    assert gap["start"].day_of_week == 2 and not hours.isin(short[("XAUUSD", "H1")].bars.index).any()
    assert gap["start"] - pd.Timedelta(hours=1) in short[("XAUUSD", "H1")].bars.index
    [spike] = short[("GBPUSD", "H1")].defects
    z = robust_z(short[("GBPUSD", "H1")].bars["close"])
    after = spike["at"] + pd.Timedelta(hours=1)  # the snap-back is as large, give or take the hour's own move
    assert set(z.nlargest(2).index) == {spike["at"], after} and z.loc[spike["at"]] > 12
    for series in short.values():
        bars = series.bars
        assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
        assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()


# --- market texture -----------------------------------------------------------------------------

def test_volatility_regimes_exist(demo) -> None:
    ratios = {}
    for symbol in SESSION:
        vol = np.log(demo[(symbol, "H1")].bars["close"]).diff().rolling(120).std().dropna()
        ratios[symbol] = vol.quantile(0.9) / vol.quantile(0.1)
    assert max(ratios.values()) > 2, ratios
    assert min(ratios.values()) > 1.25, ratios  # every market has calmer and wilder stretches


@pytest.mark.parametrize("sym", DEMO_SYMBOLS, ids=lambda s: s.symbol)
def test_realised_volatility_matches_the_annual_volatility(demo, sym) -> None:
    daily = demo[(sym.symbol, "H1")].bars["close"].resample("D").last().dropna()
    realised = np.log(daily).diff().std() * np.sqrt(len(daily) / 2.0)
    assert 0.75 * sym.annual_vol < realised < 1.35 * sym.annual_vol


def test_fx_moves_most_in_london_and_new_york_and_crypto_is_flatter(demo) -> None:
    def busy_over_asia(symbol: str) -> float:
        ret = np.log(demo[(symbol, "H1")].bars["close"]).diff().abs()
        by_hour = ret.groupby(ret.index.hour).mean()
        return by_hour.loc[[13, 14, 15]].mean() / by_hour.loc[[2, 3, 4]].mean()
    assert busy_over_asia("EURUSD") > 2 and busy_over_asia("XAUUSD") > 2
    assert 1 < busy_over_asia("BTCUSD") < 2


def test_tick_volume_follows_the_size_of_the_move(demo) -> None:
    for symbol in SESSION:
        bars = demo[(symbol, "H1")].bars
        move = np.log(bars["close"]).diff().abs()
        assert np.corrcoef(move[1:], bars["tick_volume"][1:])[0, 1] > 0.4, symbol


def test_spreads_widen_at_the_session_open_and_in_turbulence(demo) -> None:
    for symbol in SESSION:
        bars = demo[(symbol, "H1")].bars
        reopen = np.r_[True, np.diff(bars.index.asi8) > 3600 * 10**9]
        assert bars["spread"][reopen].mean() > 1.5 * bars["spread"][~reopen].mean(), symbol
    m15 = demo[("EURUSD", "M15")].bars
    reopen = np.r_[True, np.diff(m15.index.asi8) > 900 * 10**9]
    vol = np.log(m15["close"]).diff().abs().rolling(192, center=True).mean()[~reopen]
    spread = m15["spread"][~reopen]
    assert spread[vol >= vol.quantile(0.9)].mean() > 1.05 * spread[vol <= vol.quantile(0.1)].mean()
