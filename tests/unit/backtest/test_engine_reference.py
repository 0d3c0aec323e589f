"""The numba kernel equals a plain-Python reference loop on random bars, positions and costs."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kinetra.backtest import SymbolSpec, run
from kinetra.backtest.spec import WEEKDAYS


def nights_between(a: int, b: int, spec: SymbolSpec) -> float:
    """Weighted rollovers in (a, b], counted day by day with datetime."""
    total, hour = 0.0, spec.rollover_hour_utc
    day = a // 86400 - 1
    while day * 86400 + hour * 3600 <= b:
        r = day * 86400 + hour * 3600
        if a < r:
            ended = datetime.fromtimestamp(r + ((24 - hour) % 24) * 3600 - 1, UTC).weekday()
            weight = 0.0 if ended >= 5 and not spec.swap_weekends else 1.0
            total += 3.0 if WEEKDAYS[ended] == spec.triple_swap_day else weight
        day += 1
    return total


def reference(bars: pd.DataFrame, target: np.ndarray, spec: SymbolSpec, fill: str, sizing: str,
              sl: float | None, tp: float | None, equity0: float) -> tuple[list[float], list[dict]]:
    """A slow, literal reading of the documented rules."""
    pt, vpp = spec.point, spec.tick_value / spec.point
    times = bars.index.as_unit("s").asi8
    step = int(np.bincount(np.diff(times)).argmax()) if len(times) > 1 else 0
    events = times + (step if fill == "close" else 0)
    sprd = [s if s > 0 else spec.spread_points for s in bars["spread"]]
    cash, pos, applied, desired, equity, trades = equity0, None, 0.0, 0.0, [], []

    def slip(s):
        return (spec.slippage_points + spec.slippage_spread_fraction * s) * pt

    def comm(f, lots):
        return lots * spec.commission_per_lot + spec.commission_pct / 100 * f * vpp * lots

    def unreal(i):
        if pos is None:
            return 0.0
        mark = bars.close.iloc[i] + (0 if pos["side"] > 0 else sprd[i] * pt)
        return pos["side"] * (mark - pos["ef"]) * pos["lots"] * vpp

    def open_(i, b, s, d):
        nonlocal cash, pos
        side = 1 if d > 0 else -1
        lots = abs(d) if sizing == "lots" else abs(d) * cash / (b * vpp)
        if lots <= 0:
            return
        f = b + s * pt + slip(s) if side > 0 else b - slip(s)
        pos = {"side": side, "lots": lots, "ef": f, "eb": b, "ei": i, "spread": s * pt * lots * vpp if side > 0 else 0,
               "slip": slip(s) * lots * vpp, "comm": comm(f, lots), "swap": 0.0, "mfe": 0.0, "mae": 0.0,
               "sl": f - side * sl * pt if sl else np.nan, "tp": f + side * tp * pt if tp else np.nan}
        cash -= pos["comm"]

    def close(i, b, s, reason):
        nonlocal cash, pos
        side, lots = pos["side"], pos["lots"]
        f = b - slip(s) if side > 0 else b + s * pt + slip(s)
        spread = pos["spread"] + (0 if side > 0 else s * pt * lots * vpp)
        slippage = pos["slip"] + slip(s) * lots * vpp
        c = pos["comm"] + comm(f, lots)
        pnl = side * (f - pos["ef"]) * lots * vpp
        gross = side * (b - pos["eb"]) * lots * vpp
        cash += pnl - comm(f, lots)
        trades.append({"entry_i": pos["ei"], "exit_i": i, "entry_price": pos["ef"], "exit_price": f, "side": side,
                       "size": lots, "gross": gross, "spread_cost": spread, "commission": c, "swap": pos["swap"],
                       "slippage": slippage, "net": gross - spread - slippage - c + pos["swap"],
                       "mfe": max(pos["mfe"], pnl), "mae": max(pos["mae"], -pnl), "exit_reason": reason})
        pos = None

    def stops(i, s):
        o, h, low = bars.open.iloc[i], bars.high.iloc[i], bars.low.iloc[i]
        a = s * pt if pos["side"] < 0 else 0.0
        lo_sl = pos["side"] > 0
        hits = [(o <= pos["sl"] if lo_sl else o + a >= pos["sl"], "stop_loss", o),
                (o >= pos["tp"] if lo_sl else o + a <= pos["tp"], "take_profit", o),
                (low <= pos["sl"] if lo_sl else h + a >= pos["sl"], "stop_loss", pos["sl"] - a),
                (h >= pos["tp"] if lo_sl else low + a <= pos["tp"], "take_profit", pos["tp"] - a)]
        for hit, reason, price in hits:
            if hit:
                close(i, price, s, reason)
                return
        scale = pos["lots"] * vpp
        fav, adv = ((h - pos["ef"]), (pos["ef"] - low)) if lo_sl else ((pos["ef"] - low - a), (h + a - pos["ef"]))
        pos["mfe"], pos["mae"] = max(pos["mfe"], fav * scale), max(pos["mae"], adv * scale)

    def apply(i, b, s, d):
        nonlocal applied
        if d == applied:
            return
        if pos is not None:
            close(i, b, s, "signal")
        if d != 0:
            open_(i, b, s, d)
        applied = d

    for i in range(len(bars)):
        s = sprd[i]
        if pos is not None and i > 0:
            nights = nights_between(events[i - 1], events[i], spec)
            rate = spec.swap_long if pos["side"] > 0 else spec.swap_short
            per = {"points": rate * pt * vpp, "money": rate,
                   "interest": rate / 100 / 360 * bars.open.iloc[i] * vpp}[spec.swap_mode] * pos["lots"]
            pos["swap"] += nights * per
            cash += nights * per
        if fill == "next_open":
            apply(i, bars.open.iloc[i], s, desired)
        if pos is not None:
            stops(i, s)
        if fill == "close":
            apply(i, bars.close.iloc[i], s, target[i])
        desired = target[i]
        equity.append(cash + unreal(i))
    if pos is not None:
        close(len(bars) - 1, bars.close.iloc[-1], sprd[-1], "end")
        equity[-1] = cash
    return equity, trades


@st.composite
def cases(draw):
    n = draw(st.integers(1, 40))
    gaps = draw(st.lists(st.sampled_from([1, 1, 1, 3, 7, 49]), min_size=n, max_size=n))
    times = pd.Timestamp("2024-01-01 20:00", tz="UTC") + pd.to_timedelta(np.cumsum(gaps) - gaps[0], unit="h")
    moves = np.array(draw(st.lists(st.integers(-40, 40), min_size=n, max_size=n))) * 1e-4
    close = np.round(1.2 + np.cumsum(moves), 5)
    open_ = np.round(np.r_[1.2, close[:-1]] + np.array(draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))) * 1e-4, 5)
    wick = np.array(draw(st.lists(st.integers(0, 30), min_size=2 * n, max_size=2 * n))).reshape(2, n) * 1e-4
    bars = pd.DataFrame({"open": open_, "high": np.maximum(open_, close) + wick[0], "low": np.minimum(open_, close) - wick[1],
                         "close": close, "spread": draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))},
                        index=pd.DatetimeIndex(times))
    target = np.array(draw(st.lists(st.sampled_from([-1.0, -0.5, 0.0, 0.0, 0.5, 1.0]), min_size=n, max_size=n)))
    target = np.where(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))), target, np.r_[0.0, target[:-1]])
    spec = SymbolSpec(
        digits=5, tick_value=draw(st.sampled_from([1.0, 0.67])), spread_points=draw(st.sampled_from([0.0, 12.0])),
        commission_per_lot=draw(st.sampled_from([0.0, 3.5])), commission_pct=draw(st.sampled_from([0.0, 0.002])),
        swap_long=draw(st.sampled_from([-7.0, 0.0, 1.5])), swap_short=draw(st.sampled_from([-3.0, 2.0])),
        swap_mode=draw(st.sampled_from(["points", "money", "interest"])),
        triple_swap_day=draw(st.sampled_from(["wednesday", "friday", "none"])), swap_weekends=draw(st.booleans()),
        rollover_hour_utc=draw(st.sampled_from([0, 21, 22])), slippage_points=draw(st.sampled_from([0.0, 1.5])),
        slippage_spread_fraction=draw(st.sampled_from([0.0, 0.25])))
    options = {"fill": draw(st.sampled_from(["next_open", "close"])), "sizing": draw(st.sampled_from(["lots", "fraction"])),
               "sl": draw(st.sampled_from([None, 20.0, 150.0])), "tp": draw(st.sampled_from([None, 30.0, 200.0]))}
    return bars, target, spec, options


@settings(max_examples=60, deadline=None)
@given(cases())
def test_kernel_equals_the_reference_loop(case) -> None:
    bars, target, spec, o = case
    result = run(bars, target, spec, fill=o["fill"], sizing=o["sizing"], sl_points=o["sl"], tp_points=o["tp"])
    equity, trades = reference(bars, target, spec, o["fill"], o["sizing"], o["sl"], o["tp"], 10_000.0)
    np.testing.assert_allclose(result.equity.to_numpy(), equity, rtol=1e-9, atol=1e-7)
    got = result.trades
    assert len(got) == len(trades)
    if trades:
        want = pd.DataFrame(trades)
        assert got["exit_reason"].tolist() == want["exit_reason"].tolist()
        assert (got["entry_time"] == bars.index[want["entry_i"]]).all()
        assert (got["exit_time"] == bars.index[want["exit_i"]]).all()
        for col in ("entry_price", "exit_price", "side", "size", "gross", "spread_cost", "commission", "swap",
                    "slippage", "net", "mfe", "mae"):
            np.testing.assert_allclose(got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float),
                                       rtol=1e-9, atol=1e-7, err_msg=col)
    assert abs(result.metrics["final_equity"] - 10_000.0 - got["net"].sum()) < 1e-6  # the books balance
