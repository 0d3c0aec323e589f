"""Hand-computed golden cases: a few bars, the exact fills, costs and P&L expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinetra.backtest import SymbolSpec, run
from kinetra.backtest.costs import rollover_nights
from kinetra.errors import BacktestInputError

PT = 1e-5
FREE = dict(digits=5, tick_value=1.0, swap_long=0.0, swap_short=0.0, commission_per_lot=0.0)  # 1 point = 1.0 per lot


def bars(opens: list[float], spread: list[float] | None = None, highs: list[float] | None = None,
         lows: list[float] | None = None, start: str = "2024-01-02 00:00", times: list[str] | None = None) -> pd.DataFrame:
    """Bars with the given opens; close = next open; high/low default to the open-close range."""
    o = np.array(opens)
    c = np.r_[o[1:], o[-1]]
    index = pd.DatetimeIndex(times, tz="UTC") if times else pd.date_range(start, periods=len(o), freq="h", tz="UTC")
    frame = pd.DataFrame({"open": o, "high": highs or np.maximum(o, c), "low": lows or np.minimum(o, c), "close": c},
                         index=index)
    if spread is not None:
        frame["spread"] = spread
    return frame


OPENS = [1.1000, 1.1010, 1.1020, 1.1030]
SPREAD = [10, 20, 30, 40]


def test_a_long_pays_the_entry_bar_spread_buying_at_the_ask_and_sells_at_the_bid() -> None:
    result = run(bars(OPENS, SPREAD), [1, 1, 0, 0], SymbolSpec(**FREE), sizing="lots")
    [trade] = result.trades.to_dict("records")
    assert trade["entry_price"] == pytest.approx(1.1012) and trade["exit_price"] == pytest.approx(1.1030)
    assert (trade["gross"], trade["spread_cost"], trade["net"]) == pytest.approx((200.0, 20.0, 180.0))
    assert (trade["entry_time"].hour, trade["exit_time"].hour, trade["bars_held"]) == (1, 3, 2)
    assert result.metrics["final_equity"] == pytest.approx(10_180.0)


def test_a_short_sells_at_the_bid_and_pays_the_exit_bar_spread_buying_back_at_the_ask() -> None:
    [trade] = run(bars(OPENS, SPREAD), [-1, -1, 0, 0], SymbolSpec(**FREE), sizing="lots").trades.to_dict("records")
    assert trade["entry_price"] == pytest.approx(1.1010) and trade["exit_price"] == pytest.approx(1.1034)
    assert (trade["gross"], trade["spread_cost"], trade["net"]) == pytest.approx((-200.0, 40.0, -240.0))


def test_a_zero_or_missing_spread_falls_back_to_the_typical_spread() -> None:
    spec = SymbolSpec(**FREE, spread_points=7)
    zero = run(bars(OPENS, [0, 0, 0, 0]), [1, 1, 0, 0], spec, sizing="lots").trades
    absent = run(bars(OPENS), [1, 1, 0, 0], spec, sizing="lots").trades
    assert zero["spread_cost"].tolist() == pytest.approx([7.0]) and absent["spread_cost"].tolist() == pytest.approx([7.0])
    assert run(bars(OPENS, SPREAD), [1, 1, 0, 0], spec, sizing="lots", costs=False).trades["net"].tolist() == \
        pytest.approx([200.0])


def test_close_fills_trade_at_the_signal_bars_close() -> None:
    [trade] = run(bars(OPENS, SPREAD), [0, 1, 0, 0], SymbolSpec(**FREE), sizing="lots", fill="close").trades.to_dict("records")
    # enter at bar 1's close (1.1020 bid + 20 points), exit at bar 2's close (1.1030 bid)
    assert trade["entry_price"] == pytest.approx(1.1022) and trade["exit_price"] == pytest.approx(1.1030)
    assert trade["net"] == pytest.approx(80.0)


def test_commission_per_lot_and_percent_of_notional_are_charged_on_both_sides() -> None:
    spec = SymbolSpec(**(FREE | {"commission_per_lot": 3.5}), commission_pct=0.001)
    [trade] = run(bars(OPENS, SPREAD), [2, 2, 0, 0], spec, sizing="lots").trades.to_dict("records")
    notional = (1.1012 + 1.1030) * 1e5 * 2
    assert trade["commission"] == pytest.approx(2 * 2 * 3.5 + 0.001 / 100 * notional)
    assert trade["net"] == pytest.approx(400.0 - 40.0 - trade["commission"])


def test_slippage_in_points_and_as_a_fraction_of_spread_is_adverse_on_both_fills() -> None:
    fixed = run(bars(OPENS, SPREAD), [1, 1, 0, 0], SymbolSpec(**FREE, slippage_points=2), sizing="lots").trades.iloc[0]
    assert (fixed["entry_price"], fixed["exit_price"], fixed["slippage"]) == pytest.approx((1.10122, 1.10298, 4.0))
    frac = run(bars(OPENS, SPREAD), [-1, -1, 0, 0], SymbolSpec(**FREE, slippage_spread_fraction=0.5), sizing="lots").trades.iloc[0]
    assert frac["slippage"] == pytest.approx(0.5 * 20 + 0.5 * 40)
    assert frac["net"] == pytest.approx(-200.0 - 40.0 - 30.0)


WEEK = ["2024-01-02 20:00", "2024-01-02 23:00", "2024-01-03 23:00", "2024-01-04 23:00", "2024-01-05 23:00",
        "2024-01-08 01:00"]  # Tue .. Mon


@pytest.mark.parametrize(("side", "mode", "rate", "expected"), [
    (1, "points", -10.0, 5 * -10.0),  # Wed rollover x3 + Thu + Fri; the weekend rollovers charge nothing
    (-1, "points", 2.0, 5 * 2.0),
    (1, "money", -4.0, 5 * -4.0),
])
def test_swap_is_charged_per_rollover_crossed_with_the_triple_day(side: int, mode: str, rate: float, expected: float) -> None:
    spec = SymbolSpec(**(FREE | {"swap_long": rate, "swap_short": rate}), swap_mode=mode, spread_points=0)
    frame = bars([1.1] * 6, [0] * 6, times=WEEK)
    [trade] = run(frame, [side] * 5 + [0], spec, sizing="lots", costs=True).trades.to_dict("records")
    assert (trade["entry_time"].day, trade["exit_time"].day) == (2, 8)
    assert trade["swap"] == pytest.approx(expected) and trade["net"] == pytest.approx(expected)


def test_interest_swap_is_an_annual_percent_of_notional_per_night() -> None:
    spec = SymbolSpec(digits=1, tick_value=0.1, swap_long=-3.6, swap_mode="interest", triple_swap_day="none",
                      swap_weekends=True, spread_points=0)
    frame = bars([5000.0] * 6, [0] * 6, times=WEEK)
    trade = run(frame, [1] * 5 + [0], spec, sizing="lots").trades.iloc[0]
    assert trade["swap"] == pytest.approx(5 * -0.036 / 360 * 5000.0)  # Wed, Thu, Fri, Sat, Sun at 1 night


@pytest.mark.parametrize(("hour", "triple", "expected"), [
    (22, "wednesday", [0, 1, 3, 1, 1, 0, 0, 1]),
    (0, "wednesday", [0, 1, 1, 3, 1, 1, 0, 0]),  # the 00:00 UTC rollover ends the previous day
    (22, "none", [0, 1, 1, 1, 1, 0, 0, 1]),
])
def test_rollover_nights_per_day(hour: int, triple: str, expected: list[int]) -> None:
    spec = SymbolSpec(rollover_hour_utc=hour, triple_swap_day=triple)
    events = pd.date_range("2024-01-01 23:00", periods=8, freq="D", tz="UTC")  # Mon .. next Mon
    assert rollover_nights(events.as_unit("s").asi8, spec).tolist() == expected


LEVELS = dict(digits=5, tick_value=1.0, spread_points=0)


def test_when_stop_and_target_are_both_in_one_bar_the_stop_is_assumed_first() -> None:
    frame = bars([1.1, 1.1, 1.1], [0, 0, 0], highs=[1.1, 1.1060, 1.1], lows=[1.1, 1.0940, 1.1])
    trade = run(frame, [1, 1, 1], SymbolSpec(**LEVELS), sizing="lots", sl_points=500, tp_points=500).trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"], trade["net"]) == ("stop_loss", pytest.approx(1.0950), pytest.approx(-500))
    assert trade["exit_time"] == frame.index[1]


def test_a_gap_through_the_stop_fills_at_the_open_and_the_position_stays_flat() -> None:
    frame = bars([1.1, 1.1, 1.0900, 1.0900, 1.0800], [0] * 5, highs=[1.1, 1.1, 1.0910, 1.0910, 1.08],
                 lows=[1.1, 1.0990, 1.0890, 1.0890, 1.08])
    result = run(frame, [1, 1, 1, 1, 1], SymbolSpec(**LEVELS), sizing="lots", sl_points=500, tp_points=500)
    [trade] = result.trades.to_dict("records")
    assert (trade["exit_reason"], trade["exit_price"], trade["exit_time"]) == ("stop_loss", pytest.approx(1.0900), frame.index[2])
    assert result.held["bars"].tolist() == [0, 1, 0, 0, 0]


def test_take_profit_fills_at_its_level_and_a_short_watches_the_ask() -> None:
    frame = bars([1.1, 1.1, 1.1], [0, 0, 0], highs=[1.1, 1.1060, 1.1], lows=[1.1, 1.0990, 1.1])
    long_tp = run(frame, [1, 1, 1], SymbolSpec(**LEVELS), sizing="lots", sl_points=500, tp_points=500).trades.iloc[0]
    assert (long_tp["exit_reason"], long_tp["exit_price"]) == ("take_profit", pytest.approx(1.1050))
    # short entered at the 1.1000 bid; high 1.1049 + 10 points of spread reaches the 1.1050 stop on the ask
    frame = bars([1.1, 1.1, 1.1], [10, 10, 10], highs=[1.1, 1.1049, 1.1], lows=[1.1, 1.0990, 1.1])
    short = run(frame, [-1, -1, -1], SymbolSpec(**LEVELS), sizing="lots", sl_points=500).trades.iloc[0]
    assert (short["exit_reason"], short["exit_price"]) == ("stop_loss", pytest.approx(1.1050))
    assert (short["gross"], short["spread_cost"], short["net"]) == pytest.approx((-490.0, 10.0, -500.0))


def test_fraction_sizing_buys_a_fraction_of_equity_in_notional() -> None:
    frame = bars([1.25, 1.25, 1.25], [0, 0, 0])
    trade = run(frame, [0.5, 0.5, 0.5], SymbolSpec(**LEVELS), initial_equity=10_000).trades.iloc[0]
    assert trade["size"] == pytest.approx(0.5 * 10_000 / (1.25 * 1e5))
    assert trade["exit_reason"] == "end"


def test_a_portfolio_shares_one_equity_over_the_union_of_times() -> None:
    from kinetra.backtest import run_portfolio

    a = bars(OPENS, [0] * 4)
    b = bars([2.0, 2.0010, 2.0020], [0] * 3, start="2024-01-02 01:00")
    spec = SymbolSpec(**FREE, spread_points=0)
    result = run_portfolio({"A": (a, [1, 1, 0, 0], spec), "B": (b, [-1, 0, 0], spec)}, sizing="lots")
    assert len(result.equity) == 4 and sorted(result.trades["symbol"]) == ["A", "B"]
    assert result.trades.set_index("symbol")["net"].to_dict() == pytest.approx({"A": 200.0, "B": -100.0})
    assert result.metrics["final_equity"] == pytest.approx(10_100.0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda f: run(f, [1, 0]), "2 positions for 4 bars"),
    (lambda f: run(f.drop(columns="high"), [0] * 4), "lack column(s) high"),
    (lambda f: run(f.assign(close=[1.1, np.nan, 1.1, 1.1]), [0] * 4), "close is NaN or infinite at 2024-01-02 01:00"),
    (lambda f: run(f, [0] * 4, fill="vwap"), "unknown fill mode 'vwap'"),
    (lambda f: run(f, [0] * 4, sizing="units"), "unknown sizing"),
    (lambda f: run(f.reset_index(drop=True), [0] * 4), "indexed by time"),
    (lambda f: run(f.iloc[::-1], [0] * 4), "strictly increasing"),
    (lambda f: run(f, [0, np.nan, 0, 0]), "NaN or infinite values at bar 1"),
    (lambda f: run(f, [0] * 4, sl_points=-5), "sl_points must be a positive"),
])
def test_bad_input_raises_one_line(call, message: str) -> None:
    with pytest.raises(BacktestInputError, match=None) as err:
        call(bars(OPENS, SPREAD))
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("fill", ["next_open", "close"])
def test_future_bars_never_change_past_equity(fill: str) -> None:
    from kinetra.data.synthetic import DEMO_SYMBOLS, generate_bars

    full = generate_bars(DEMO_SYMBOLS[2], "H1", pd.Timestamp("2024-03-01", tz="UTC"), pd.Timestamp("2024-04-01", tz="UTC"), 5)
    pos = np.sign(np.sin(np.arange(len(full)) / 7.0)) * 0.3
    whole = run(full, pos, SymbolSpec(digits=2, tick_value=1.0, swap_long=-55), fill=fill, sl_points=400)
    cut = len(full) // 2
    part = run(full.iloc[:cut], pos[:cut], SymbolSpec(digits=2, tick_value=1.0, swap_long=-55), fill=fill, sl_points=400)
    # all but the last bar of the cut run, whose equity includes closing the open trade
    np.testing.assert_array_equal(part.equity.to_numpy()[:-1], whole.equity.to_numpy()[: cut - 1])
