"""Same SMA-crossover signals, zero costs, next-open fills: our engine agrees with backtesting.py."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from kinetra.backtest import SymbolSpec, run

backtesting = pytest.importorskip("backtesting")
from backtesting import Backtest, Strategy  # noqa: E402
from backtesting.lib import crossover  # noqa: E402
from backtesting.test import EURUSD, GOOG, SMA  # noqa: E402

FAST, SLOW = 10, 20


def crossover_positions(close: np.ndarray) -> np.ndarray:
    """Long after SMA10 crosses above SMA20, short after it crosses below, flat before the first cross
    and over the last two bars (so the last trade exits at the final bar's open in both engines)."""
    fast, slow = SMA(close, FAST).to_numpy(), SMA(close, SLOW).to_numpy()
    up = np.zeros(len(close), bool)
    down = np.zeros(len(close), bool)
    up[1:] = (fast[:-1] < slow[:-1]) & (fast[1:] > slow[1:])
    down[1:] = (slow[:-1] < fast[:-1]) & (slow[1:] > fast[1:])
    signal = pd.Series(np.where(up, 1.0, np.where(down, -1.0, np.nan))).ffill().fillna(0.0).to_numpy().copy()
    signal[-2:] = 0.0
    return signal


def _strategy(units: int, total: int) -> type[Strategy]:
    class SmaCross(Strategy):
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, FAST)
            self.slow = self.I(SMA, self.data.Close, SLOW)

        def next(self) -> None:
            if len(self.data) >= total - 1:
                if len(self.data) == total - 1:
                    self.position.close()
                return
            if crossover(self.fast, self.slow):
                self.position.close()
                self.buy(size=units)
            elif crossover(self.slow, self.fast):
                self.position.close()
                self.sell(size=units)

    return SmaCross


@pytest.mark.parametrize(("data", "units", "digits"), [(EURUSD, 10_000, 5), (GOOG, 10, 2)], ids=["EURUSD", "GOOG"])
def test_sma_crossover_matches_backtesting_py(data: pd.DataFrame, units: int, digits: int) -> None:
    cash = 100_000.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = Backtest(data, _strategy(units, len(data)), cash=cash, commission=0, spread=0, trade_on_close=False,
                      exclusive_orders=True, finalize_trades=True)
        stats = bt.run()
    theirs = stats["_trades"].sort_values("EntryBar").reset_index(drop=True)

    bars = data.rename(columns=str.lower)
    spec = SymbolSpec(digits=digits, tick_value=10.0 ** -digits)  # 1.0 of price = 1.0 of money per unit
    ours = run(bars, crossover_positions(bars["close"].to_numpy()) * units, spec=spec, costs=False,
               fill="next_open", sizing="lots", initial_equity=cash)

    trades = ours.trades
    assert len(trades) == len(theirs) > 20
    np.testing.assert_array_equal(trades["entry_price"], theirs["EntryPrice"])
    np.testing.assert_array_equal(trades["exit_price"], theirs["ExitPrice"])
    np.testing.assert_array_equal(trades["side"] * trades["size"], theirs["Size"])
    assert list(trades["entry_time"].dt.tz_localize(None)) == list(theirs["EntryTime"])
    assert list(trades["exit_time"].dt.tz_localize(None)) == list(theirs["ExitTime"])
    np.testing.assert_allclose(trades["net"], theirs["PnL"], rtol=1e-9, atol=1e-9)
    assert ours.metrics["final_equity"] == pytest.approx(stats["Equity Final [$]"], rel=1e-6)
    np.testing.assert_allclose(ours.equity.to_numpy(), stats["_equity_curve"]["Equity"].to_numpy(), rtol=1e-6)
