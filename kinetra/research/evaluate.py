"""A suite's verdicts: every out-of-sample outcome judged as one family, with Monte Carlo evidence.

p-values come from the random-entry null (same trades, holding times and sides at random bars),
q-values from the suite's correction over the whole family, the DSR counts every candidate as a
trial, and PBO (CSCV) is computed over each agent's configurations on a series; a walk-forward
selected outcome carries its group's PBO, since it is that selection whose overfitting PBO measures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kinetra.backtest.metrics import compute_metrics
from kinetra.research.assess import Candidate, assess
from kinetra.research.bootstrap import bootstrap_draws
from kinetra.research.measures import measure
from kinetra.research.nulls import random_entry_test
from kinetra.research.outcomes import Outcome
from kinetra.research.suite import MonteCarlo, Suite
from kinetra.research.trials import INITIAL_EQUITY
from kinetra.research.verdict import CandidateStats, verdict

INTERVALS = ("sharpe", "total_return", "profit_factor")


@dataclass
class Evaluation:
    """One candidate's evidence: out-of-sample metrics, intervals, p, q, DSR, PBO, verdict, MC draws."""

    outcome: Outcome
    stats: dict[str, Any]
    equity: pd.Series
    mc: np.ndarray
    """The Monte Carlo distribution drawn for the histogram (see stats["mc_statistic"])."""


def trade_returns_on_grid(returns: np.ndarray, entries: np.ndarray, holds: np.ndarray) -> np.ndarray:
    """Compounded return of the equity over each trade's bars: the input of the trade bootstrap."""
    growth = np.r_[0.0, np.cumsum(np.log1p(returns))]
    ends = np.minimum(entries + np.maximum(holds, 1), len(returns))
    return np.expm1(growth[ends] - growth[entries])


@dataclass
class MonteCarloResult:
    """Each statistic's (estimate, low, high) under one definition, and the histogram's draws."""

    intervals: dict[str, tuple[float, float, float]]
    draws: np.ndarray
    statistic: str
    """What the draws are of: "total_return" (resampled) or "null_sharpe" (random entries)."""
    observed: float
    """The candidate's own value of that statistic, for the histogram's marker."""


def monte_carlo(o: Outcome, mc: MonteCarlo, per_year: float, seed: np.random.SeedSequence) -> MonteCarloResult:
    """Intervals of Sharpe, total return and profit factor, and the histogram's draws, by the suite's method.

    trade_bootstrap resamples closed trades (Efron 1979): the statistics are of trade returns, the
    Sharpe ratio annualised by trades per year; block_bootstrap resamples per-bar returns in
    stationary blocks (Politis & Romano 1994); random_entry draws the random-entry null of the
    Sharpe ratio (gross, unit size), with intervals from the block bootstrap. Each estimate is of
    the same definition as its interval.
    """
    if mc.method == "trade_bootstrap":
        r = trade_returns_on_grid(o.returns, o.book.entries, o.book.holds)
        years = len(o.returns) / per_year if per_year > 0 else math.nan
        scale = len(r) / years if years and years > 0 else 1.0
        method, seeds = "iid", (seed, seed)
    else:
        r, scale, method, seeds = o.returns, per_year, "stationary", tuple(seed.spawn(2))
    total = float(np.prod(1.0 + o.returns) - 1.0)
    if len(r) < 2:
        return MonteCarloResult({name: (math.nan,) * 3 for name in INTERVALS}, np.zeros(0), "total_return", total)
    draws = bootstrap_draws(r, INTERVALS, method, mc.count, per_year=scale, seed=seeds[0])
    intervals = {name: (float(measure(name)(r, scale)), *_interval(values, mc.level)) for name, values in draws.items()}
    if mc.method == "random_entry":
        test = random_entry_test(o.market, o.book, "sharpe", mc.count, seed=seeds[1])
        root = math.sqrt(per_year)
        return MonteCarloResult(intervals, test.null * root, "null_sharpe", test.observed * root)
    return MonteCarloResult(intervals, draws["total_return"], "total_return", total)


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval over the draws where the statistic is defined (NaN when none is)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return math.nan, math.nan
    low, high = np.quantile(finite, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def equity_of(o: Outcome) -> pd.Series:
    """The candidate's equity marked at each out-of-sample close, from the stitched returns."""
    return pd.Series(INITIAL_EQUITY * np.cumprod(1.0 + o.returns), index=o.index, name="equity")


def _exposed(o: Outcome) -> np.ndarray:
    held = np.zeros(len(o.returns) + 1)
    np.add.at(held, o.book.entries, 1)
    np.add.at(held, np.minimum(o.book.entries + o.book.holds, len(o.returns)), -1)
    return np.cumsum(held)[:-1] > 0


def evaluate(outcomes: Sequence[Outcome], suite: Suite, per_year: dict[int, float],
             between: Callable[[], None] = lambda: None) -> list[Evaluation]:
    """Judge every outcome as one family; `per_year` gives each series' bars per year (its calendar).

    `between` is called between candidates (a run passes its cancel check).
    """
    if not outcomes:
        return []
    config = suite.verdict_config()
    candidates = [Candidate(o.name, o.group if o.kind == "config" else o.name, o.returns, o.book, o.market,
                            per_year[o.series_id]) for o in outcomes]
    assessed = assess(candidates, config)
    group_pbo = {a.group: a.pbo for a in assessed if math.isfinite(a.pbo)}
    seeds = np.random.SeedSequence([suite.seed, 1]).spawn(len(outcomes))
    out = []
    for o, a, seed in zip(outcomes, assessed, seeds, strict=True):
        between()
        pbo, label, reasons = a.pbo, a.label, a.reasons
        if o.kind == "selected" and o.group in group_pbo:
            pbo = group_pbo[o.group]
            label, reasons = verdict(CandidateStats(o.name, a.q_value, a.dsr, pbo), config)
        equity = equity_of(o)
        metrics = compute_metrics(equity, o.trades, _exposed(o), INITIAL_EQUITY, per_year[o.series_id])
        mc = monte_carlo(o, suite.monte_carlo, per_year[o.series_id], seed)
        stats = {
            "metrics": _clean(metrics), "intervals": {k: [_num(v) for v in iv] for k, iv in mc.intervals.items()},
            "p_value": _num(a.p_value), "q_value": _num(a.q_value), "dsr": _num(a.dsr), "pbo": _num(pbo),
            "verdict": label, "reasons": reasons, "mc_method": suite.monte_carlo.method, "mc_statistic": mc.statistic,
            "mc_observed": _num(mc.observed),
            "choices": o.choices,
        }
        out.append(Evaluation(o, stats, equity, np.asarray(mc.draws, dtype=np.float64)))
    return out


def _num(value: float) -> float | None:
    """A JSON-safe number: NaN and infinities as None."""
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (_num(v) if isinstance(v, float | np.floating) else (int(v) if isinstance(v, np.integer) else v))
            for k, v in metrics.items()}
