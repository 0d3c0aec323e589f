"""Backtests of target positions on MT5 bars with MT5-accurate costs: `run`, `run_portfolio`."""

from kinetra.backtest.runner import BacktestResult, run, run_portfolio
from kinetra.backtest.spec import SymbolSpec, spec_for

__all__ = ["BacktestResult", "SymbolSpec", "run", "run_portfolio", "spec_for"]
