"""One trial: an agent configuration backtested on one series' validation folds.

Pure: bars and spec in, per-fold results out. Positions are decided causally, so a rule agent's
positions over all bars, cut to a window, equal the positions it would decide on that window's
history; an agent that learns is fitted on each fold's training bars first. Each test window is
backtested on its own (flat at its start), so no trade straddles a training window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kinetra.agents import create
from kinetra.agents.base import RuleAgent
from kinetra.backtest import SymbolSpec, run
from kinetra.research.assess import equity_returns
from kinetra.research.folds import Fold
from kinetra.research.measures import sharpe

INITIAL_EQUITY = 10_000.0


@dataclass
class FoldResult:
    """A configuration's result on one fold: the test window's per-bar returns, trades and metrics."""

    fold: int
    test_start: int
    test_end: int
    train_sharpe: float
    """Per-bar Sharpe ratio over the training spans: the in-sample score parameter selection uses."""
    returns: np.ndarray
    trades: pd.DataFrame
    metrics: dict[str, Any]


def _window_returns(bars: pd.DataFrame, positions: np.ndarray, span: tuple[int, int], spec: SymbolSpec,
                    costs: bool, fill: str) -> tuple[np.ndarray, Any]:
    a, b = span
    result = run(bars.iloc[a:b], positions[a:b], spec=spec, costs=costs, fill=fill, initial_equity=INITIAL_EQUITY)
    return equity_returns(result.equity, INITIAL_EQUITY), result


def _train_sharpe(bars: pd.DataFrame, positions: np.ndarray, fold: Fold, spec: SymbolSpec, costs: bool,
                  fill: str) -> float:
    parts = [_window_returns(bars, positions, span, spec, costs, fill)[0] for span in fold.train if span[1] - span[0] >= 2]
    r = np.concatenate(parts) if parts else np.zeros(0)
    return float(sharpe(r)) if len(r) >= 2 else float("nan")


def _train_bars(bars: pd.DataFrame, fold: Fold) -> pd.DataFrame:
    return pd.concat([bars.iloc[a:b] for a, b in fold.train]) if fold.train else bars.iloc[:0]


def run_trial(bars: pd.DataFrame, spec: SymbolSpec, agent_name: str, params: dict[str, Any], folds: list[Fold],
              costs: bool = True, fill: str = "next_open") -> list[FoldResult]:
    """Backtest `agent_name(**params)` on each fold's test window; score it on the training spans."""
    agent = create(agent_name, **params)
    shared = agent.positions(bars) if isinstance(agent, RuleAgent) else None
    out = []
    for fold in folds:
        positions = shared
        if positions is None:
            agent.fit(_train_bars(bars, fold))
            positions = np.r_[agent.positions(bars.iloc[:fold.test[1]]), np.zeros(len(bars) - fold.test[1])]
        returns, result = _window_returns(bars, positions, fold.test, spec, costs, fill)
        metrics = {k: v for k, v in result.metrics.items() if np.isscalar(v)}
        out.append(FoldResult(fold.index, fold.test[0], fold.test[1],
                              _train_sharpe(bars, positions, fold, spec, costs, fill), returns, result.trades,
                              metrics))
    return out
