"""Out-of-sample records of candidates, stitched from their folds' test windows.

A configuration's outcome is its test windows laid end to end; the walk-forward "selected"
outcome takes, in each fold, the configuration with the best in-sample score, which is what a
walk-forward optimisation would have traded; CPCV paths do the same per split (Lopez de Prado 2018).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kinetra.research.folds import Span, embargo_bars, group_bounds, purged_splits, purged_train, split_paths
from kinetra.research.measures import sharpe
from kinetra.research.nulls import TradeBook, fill_log_returns, trades_on_bars
from kinetra.research.trials import FoldResult


@dataclass
class Outcome:
    """A candidate's stitched out-of-sample record on one series."""

    name: str
    kind: str
    """"config" (one parameter set) or "selected" (walk-forward choice per fold)."""
    agent: str
    params: dict[str, Any]
    series_id: int
    series: str
    group: str
    """Configurations of one agent on one series: PBO is computed over the group."""
    index: pd.DatetimeIndex
    returns: np.ndarray
    trades: pd.DataFrame
    book: TradeBook
    market: np.ndarray
    choices: list[str] = field(default_factory=list)
    """For "selected": the configuration chosen in each fold, in fold order."""


def stitch(bars: pd.DataFrame, folds: Sequence[FoldResult], fill: str) -> tuple[pd.DatetimeIndex, np.ndarray,
                                                                                    pd.DataFrame, TradeBook, np.ndarray]:
    """Lay test windows end to end: index, returns, trades, the trade book and fill log returns on that grid."""
    folds = sorted(folds, key=lambda f: f.test_start)
    parts_index, parts_market, entries, holds, sides = [], [], [], [], []
    offset = 0
    for f in folds:
        window = bars.iloc[f.test_start:f.test_end]
        book = trades_on_bars(f.trades, window.index, fill)
        entries.append(book.entries + offset)
        holds.append(book.holds)
        sides.append(book.sides)
        parts_index.append(window.index)
        parts_market.append(fill_log_returns(window, fill))
        offset += len(window)
    index = parts_index[0].append(parts_index[1:]) if len(parts_index) > 1 else parts_index[0]
    returns = np.concatenate([f.returns for f in folds])
    trades = pd.concat([f.trades for f in folds], ignore_index=True) if folds else pd.DataFrame()
    book = TradeBook(np.concatenate(entries), np.concatenate(holds), np.concatenate(sides), offset)
    return index, returns, trades, book, np.concatenate(parts_market)


def config_outcome(name: str, agent: str, params: dict[str, Any], series_id: int, series: str,
                   bars: pd.DataFrame, folds: Sequence[FoldResult], fill: str) -> Outcome:
    """The outcome of one configuration: its own test windows, stitched."""
    index, returns, trades, book, market = stitch(bars, folds, fill)
    return Outcome(name, "config", agent, params, series_id, series, f"{agent}@{series}", index, returns, trades,
                   book, market)


def selected_outcome(agent: str, series_id: int, series: str, bars: pd.DataFrame,
                     by_config: dict[str, Sequence[FoldResult]], fill: str) -> Outcome:
    """Walk-forward optimisation: in each fold, the configuration with the best training score, tested.

    Ties go to the first configuration in suite order; an undefined score never wins.
    """
    labels = list(by_config)
    n_folds = len(by_config[labels[0]])
    picked, choices = [], []
    for i in range(n_folds):
        scores = [by_config[lab][i].train_sharpe for lab in labels]
        scores = [s if np.isfinite(s) else -np.inf for s in scores]
        best = labels[int(np.argmax(scores))]
        picked.append(by_config[best][i])
        choices.append(best)
    index, returns, trades, book, market = stitch(bars, picked, fill)
    return Outcome(f"{agent} [walk-forward selected] @ {series}", "selected", agent, {}, series_id, series,
                   f"{agent}@{series}", index, returns, trades, book, market, choices)


def cpcv_path_sharpes(by_config: dict[str, Sequence[FoldResult]], groups: int, test_groups: int,
                      embargo: float, per_year: float) -> list[float]:
    """Annualised Sharpe of each CPCV path of the selection: per split, best on its purged training groups.

    `by_config` holds each configuration's per-group results (fold g = group g).
    """
    labels = list(by_config)
    n = sum(len(f.returns) for f in by_config[labels[0]])
    bounds: list[Span] = group_bounds(n, groups)
    gap = embargo_bars(n, embargo)
    full = {lab: np.concatenate([f.returns for f in sorted(by_config[lab], key=lambda f: f.fold)]) for lab in labels}
    chosen = []
    for tested in purged_splits(groups, test_groups):
        spans = purged_train(bounds, tested, gap)
        scores = [sharpe(np.concatenate([full[lab][a:b] for a, b in spans])) if spans else np.nan for lab in labels]
        scores = [s if np.isfinite(s) else -np.inf for s in scores]
        chosen.append(labels[int(np.argmax(scores))])
    out = []
    for path in split_paths(groups, test_groups):
        r = np.concatenate([full[chosen[split]][a:b] for (a, b), split in zip(bounds, path, strict=True)])
        out.append(float(sharpe(r, per_year)))
    return out
