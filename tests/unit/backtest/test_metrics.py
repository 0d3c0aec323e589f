"""Metrics: definitions checked on hand-made equity curves and trades; edge cases never raise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kinetra.backtest import SymbolSpec, run
from kinetra.backtest.metrics import WEEKS_PER_YEAR, bars_per_year, compute_metrics, drawdown, runs_z_score, trade_metrics
from kinetra.data.synthetic import DEMO_SYMBOLS, generate_bars

SYMBOLS = {s.symbol: s for s in DEMO_SYMBOLS}
TRADE_COLS = ["gross", "spread_cost", "commission", "swap", "slippage", "net", "mfe"]


@pytest.mark.parametrize(("symbol", "slots_per_week"), [("EURUSD", 120), ("BTCUSD", 168), ("US500", 114)])
def test_bars_per_year_come_from_the_learned_calendar(symbol: str, slots_per_week: int) -> None:
    bars = generate_bars(SYMBOLS[symbol], "H1", pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-04-01", tz="UTC"), 1)
    assert bars_per_year(bars.index) == pytest.approx(slots_per_week * WEEKS_PER_YEAR)


def test_drawdown_depth_and_duration_to_recovery() -> None:
    index = pd.date_range("2024-01-01", periods=7, freq="D", tz="UTC")
    depth, bars, days = drawdown(np.array([100, 120, 90, 60, 100, 130, 125.0]), index)
    assert (depth, bars, days) == (pytest.approx(0.5), 4, 4.0)  # peak 120 at day 1, back above it on day 5
    assert drawdown(np.array([100, 101, 102.0]), index[:3]) == (0.0, 0, 0.0)


def test_runs_z_score_matches_the_formula() -> None:
    net = np.array([1, 1, -1, -1, 1, -1, 1, 1.0])  # N 8, W 5, L 3, R 5
    x = 2 * 5 * 3
    assert runs_z_score(net) == pytest.approx((8 * (5 - 0.5) - x) / math.sqrt(x * (x - 8) / 7))
    assert math.isnan(runs_z_score(np.array([1.0, 2.0])))


def test_trade_metrics_on_known_trades() -> None:
    trades = pd.DataFrame([[100, 5, 2, -1, 0, 92, 150], [-50, 5, 2, 0, 1, -58, 10], [40, 5, 2, 0, 0, 33, 40]],
                          columns=TRADE_COLS)
    got = trade_metrics(trades)
    assert got["win_rate"] == pytest.approx(2 / 3) and got["profit_factor"] == pytest.approx(125 / 58)
    assert got["expectancy"] == pytest.approx(67 / 3) and got["mfe_captured"] == pytest.approx(90 / 200)
    assert got["cost_share"] == pytest.approx((15 + 6 + 1 + 1) / 190)


def test_no_trades_and_a_flat_curve_give_nan_or_zero_not_an_exception() -> None:
    index = pd.date_range("2024-01-01", periods=50, freq="h", tz="UTC")
    m = compute_metrics(pd.Series(10_000.0, index=index), pd.DataFrame(columns=TRADE_COLS + ["mae"]),
                        np.zeros(50, bool), 10_000.0)
    assert m["total_return"] == 0 and m["max_drawdown"] == 0 and m["exposure"] == 0 and m["trades"] == 0
    for key in ("sharpe", "sortino", "calmar", "omega", "win_rate", "profit_factor", "expectancy", "z_score"):
        assert math.isnan(m[key]), key


def test_sharpe_and_cagr_use_the_calendar_bars_per_year() -> None:
    bars = generate_bars(SYMBOLS["EURUSD"], "H1", pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-07-01", tz="UTC"), 3)
    pos = np.sign(np.sin(np.arange(len(bars)) / 40.0))
    result = run(bars, pos, SymbolSpec(), sizing="lots")
    r = result.equity.pct_change().fillna(result.equity.iloc[0] / 10_000 - 1).to_numpy()
    per_year = 120 * WEEKS_PER_YEAR
    assert result.metrics["bars_per_year"] == pytest.approx(per_year)
    assert result.metrics["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * math.sqrt(per_year))
    growth = result.equity.iloc[-1] / 10_000
    assert result.metrics["cagr"] == pytest.approx(growth ** (per_year / len(bars)) - 1)
    assert result.metrics["exposure"] == pytest.approx(np.mean(result.held["bars"] != 0))
