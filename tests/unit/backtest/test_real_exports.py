"""Backtests on the real MT5 exports in shared/data/mt5: costs add up and the books balance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinetra.backtest import run, run_portfolio, spec_for
from kinetra.data.mt5_csv import parse_mt5_csv
from kinetra.data.symbols import infer_asset_class, parse_file_name
from tests.support.mt5 import SHARED_MT5

pytestmark = pytest.mark.skipif(not SHARED_MT5.is_dir(), reason="shared MT5 exports not present")


def load(pattern: str) -> tuple[str, pd.DataFrame]:
    """Return (symbol, bars) of the one shared export matching `pattern`."""
    [path] = sorted(Path(SHARED_MT5).glob(pattern))
    parsed = parse_mt5_csv(path)
    index = pd.DatetimeIndex(parsed.ts.astype("datetime64[s]"), tz="UTC")
    bars = pd.DataFrame({c: getattr(parsed, c) for c in ("open", "high", "low", "close", "spread")}, index=index)
    return parse_file_name(path).symbol, bars[~index.duplicated()]


def trend_positions(close: np.ndarray) -> np.ndarray:
    """Long above the 200-bar mean, short below, half size: a plain always-in-market test strategy."""
    mean = pd.Series(close).rolling(200, min_periods=1).mean().to_numpy()
    return np.where(close > mean, 0.5, -0.5)


@pytest.mark.parametrize("pattern", ["XAUUSD+_H1_*.csv", "EURJPY+_H1_*.csv", "BTCUSD_H1_*.csv", "NAS100_H1_*.csv"])
def test_costs_add_up_and_final_equity_is_the_sum_of_trade_nets(pattern: str) -> None:
    symbol, bars = load(pattern)
    spec = spec_for(symbol, infer_asset_class(symbol))
    positions = trend_positions(bars["close"].to_numpy())
    with_costs = run(bars, positions, spec, sizing="fraction")
    free = run(bars, positions, spec, costs=False, sizing="fraction")
    trades = with_costs.trades
    assert len(trades) > 20
    assert with_costs.metrics["final_equity"] == pytest.approx(10_000 + trades["net"].sum(), rel=1e-9)
    np.testing.assert_allclose(trades["net"], trades["gross"] - trades["spread_cost"] - trades["commission"]
                               - trades["slippage"] + trades["swap"], rtol=1e-9, atol=1e-9)
    assert (trades["spread_cost"] > 0).all() and (trades["swap"] != 0).any()
    assert with_costs.metrics["final_equity"] < free.metrics["final_equity"]
    assert free.trades["spread_cost"].sum() == 0 and free.trades["swap"].sum() == 0
    assert 0 < with_costs.metrics["cost_share"] < 5 and np.isfinite(with_costs.metrics["sharpe"])


def test_a_portfolio_of_real_exports_runs_on_the_union_of_their_times() -> None:
    books = {}
    for pattern in ("XAUUSD+_H1_*.csv", "BTCUSD_H1_*.csv"):
        symbol, bars = load(pattern)
        books[symbol] = (bars, trend_positions(bars["close"].to_numpy()) / 2, spec_for(symbol, infer_asset_class(symbol)))
    result = run_portfolio(books)
    union = books["XAUUSD+"][0].index.union(books["BTCUSD"][0].index)
    assert result.equity.index.equals(union)
    assert set(result.trades["symbol"]) == {"XAUUSD+", "BTCUSD"}
    assert result.metrics["final_equity"] == pytest.approx(10_000 + result.trades["net"].sum(), rel=1e-9)
