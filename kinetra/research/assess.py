"""Judge a family of candidates at once: p-values, q-values over the family, DSR over its trials, PBO per group.

This is the call a test suite makes after running its agents x params x series x folds: every
candidate that was run goes in (the family size is the number of trials for the DSR and the
number of tests for the correction), each gets an `Assessment` with its numbers and verdict.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinetra.backtest import BacktestResult
from kinetra.errors import ResearchInputError
from kinetra.research.bootstrap import bootstrap_ci
from kinetra.research.measures import as_returns, sharpe
from kinetra.research.multiple_testing import adjust_p_values
from kinetra.research.nulls import (TradeBook, bootstrap_null_test, fill_log_returns, random_entry_test, sign_flip_test,
                                    trades_on_bars)
from kinetra.research.overfitting import pbo_cscv
from kinetra.research.sharpe import deflated_sharpe_ratio
from kinetra.research.verdict import CandidateStats, VerdictConfig, verdict


@dataclass(frozen=True)
class Candidate:
    """One configuration's backtest, reduced to what the statistics need."""

    name: str
    group: str
    """Configurations of one agent on one series and fold share a group; PBO is computed per group."""
    returns: np.ndarray
    """Net per-bar returns of the equity."""
    book: TradeBook
    """The trades on the bar grid, for the random-entry null."""
    market: np.ndarray = field(repr=False)
    """Per-bar log returns of the fill price on the same grid (see nulls.fill_log_returns)."""
    per_year: float = 1.0
    """Bars per year, to annualise the reported Sharpe ratio."""


@dataclass(frozen=True)
class Assessment:
    """A candidate's statistics and verdict."""

    name: str
    group: str
    sharpe: float
    """Annualised Sharpe ratio of the net per-bar returns."""
    sharpe_low: float
    sharpe_high: float
    p_value: float
    q_value: float
    dsr: float
    pbo: float
    label: str
    reasons: list[str]


def equity_returns(equity: pd.Series, initial_equity: float) -> np.ndarray:
    """Return the simple per-bar returns of an equity curve marked at each close.

    The first bar is measured against the initial equity, as in kinetra.backtest.metrics.
    """
    values = equity.to_numpy(dtype=np.float64)
    prev = np.r_[initial_equity, values[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0, values / prev - 1.0, 0.0)


def trade_returns(result: BacktestResult, initial_equity: float = 10_000.0) -> np.ndarray:
    """Return each closed trade's net P&L over the equity marked at the close before its entry bar.

    The input of the trade bootstrap (`bootstrap.trade_bootstrap_ci`): one return per trade, in
    the order of the trades frame.
    """
    trades = result.trades
    if trades.empty:
        return np.zeros(0)
    index = pd.DatetimeIndex(result.equity.index)
    at = index.get_indexer(pd.DatetimeIndex(trades["entry_time"])) - 1
    equity = np.r_[initial_equity, result.equity.to_numpy(dtype=np.float64)][at + 1]
    return trades["net"].to_numpy(dtype=np.float64) / equity


def candidate_from_backtest(name: str, group: str, bars: pd.DataFrame, result: BacktestResult, fill: str = "next_open",
                            initial_equity: float = 10_000.0, per_year: float | None = None) -> Candidate:
    """Return the Candidate of a `kinetra.backtest.run` result on `bars` (fill: the mode it was run with)."""
    index = pd.DatetimeIndex(result.equity.index)
    per_year = result.metrics.get("bars_per_year", 1.0) if per_year is None else per_year
    returns = equity_returns(result.equity, initial_equity)
    per_year = float(per_year) if per_year and math.isfinite(per_year) else 1.0
    return Candidate(name, group, returns, trades_on_bars(result.trades, index, fill), fill_log_returns(bars, fill),
                     per_year)


def _p_value(c: Candidate, config: VerdictConfig, seed: np.random.SeedSequence) -> float:
    """The candidate's p-value under the configured null."""
    if config.null == "random_entry":
        return random_entry_test(c.market, c.book, config.null_statistic, config.n_null, seed=seed).p_value
    stat = "sharpe" if config.null_statistic == "mean_trade" else config.null_statistic
    test = sign_flip_test if config.null == "sign_flip" else bootstrap_null_test
    return test(c.returns, stat, config.n_null, seed=seed).p_value


def _group_pbo(candidates: Sequence[Candidate], config: VerdictConfig) -> dict[str, float]:
    """PBO of each group with at least two configurations (NaN for a group of one)."""
    members: dict[str, list[np.ndarray]] = defaultdict(list)
    for c in candidates:
        members[c.group].append(c.returns)
    out = {}
    for group, rows in members.items():
        if len(rows) < 2:
            out[group] = math.nan
            continue
        if len({len(r) for r in rows}) != 1:
            raise ResearchInputError(f"group {group!r}: configurations must cover the same bars for the PBO")
        out[group] = pbo_cscv(np.column_stack(rows), config.pbo_blocks).pbo
    return out


def _interval(c: Candidate, config: VerdictConfig, seed: np.random.SeedSequence) -> tuple[float, float]:
    if config.n_boot == 0 or len(c.returns) < 2:
        return math.nan, math.nan
    ci = bootstrap_ci(c.returns, ("sharpe",), "stationary", config.level, config.n_boot, per_year=c.per_year,
                      seed=seed)["sharpe"]
    return ci.low, ci.high


def assess(candidates: Sequence[Candidate], config: VerdictConfig | None = None,
           n_trials: int | None = None) -> list[Assessment]:
    """Return one Assessment per candidate, in order: every statistic and the verdict.

    p-values come from the configured null, q-values from the configured correction over all
    candidates, DSR from the variance of all candidates' per-bar Sharpe ratios with `n_trials`
    (default: the number of candidates; pass more if more trials were run than are given here),
    PBO from CSCV over each group's configurations. Seeds derive from config.seed and position.
    """
    config = config or VerdictConfig()
    if not candidates:
        return []
    for c in candidates:
        as_returns(c.returns, f"{c.name}: returns")
    seeds = np.random.SeedSequence(config.seed).spawn(2 * len(candidates))
    p = np.array([_p_value(c, config, seeds[2 * i]) for i, c in enumerate(candidates)])
    q = adjust_p_values(p, config.correction)
    trial_sr = np.array([sharpe(c.returns) for c in candidates])
    pbo = _group_pbo(candidates, config)
    out = []
    for i, c in enumerate(candidates):
        dsr = deflated_sharpe_ratio(c.returns, trial_sr, n_trials or len(candidates)).dsr
        label, reasons = verdict(CandidateStats(c.name, float(q[i]), dsr, pbo[c.group]), config)
        low, high = _interval(c, config, seeds[2 * i + 1])
        out.append(Assessment(c.name, c.group, float(sharpe(c.returns, c.per_year)), low, high, float(p[i]),
                              float(q[i]), dsr, pbo[c.group], label, reasons))
    return out
