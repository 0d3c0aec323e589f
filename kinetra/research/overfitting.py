"""Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV).

Bailey, Borwein, Lopez de Prado & Zhu (2015), "The Probability of Backtest Overfitting", J. of
Computational Finance 20(4). Given a T x N matrix of per-period performance of N configurations,
cut the rows into S contiguous blocks (S even); for each of the C(S, S/2) ways to pick half the
blocks as in-sample (the rest out-of-sample), pick the configuration best in-sample, find its
relative rank w = rank / (N + 1) among the N out-of-sample, and record the logit ln(w / (1 - w)).
PBO is the share of logits <= 0: how often the in-sample winner is at or below the out-of-sample
median. Performance of a set of rows is their Sharpe ratio (mean / std, ddof 1) by default, or
their mean; both are computed from per-block sums, so 12,870 splits (S = 16) cost milliseconds.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from kinetra.errors import ResearchInputError
from kinetra.research.measures import ZERO_VARIANCE

PERFORMANCE = ("sharpe", "mean")


@dataclass(frozen=True)
class PBOResult:
    """PBO and what it was made from, one entry per train/test split."""

    pbo: float
    logits: np.ndarray
    """ln(w / (1 - w)) of the in-sample best's out-of-sample relative rank w, per split."""
    is_best: np.ndarray
    """In-sample performance of the configuration picked in each split."""
    oos_of_best: np.ndarray
    """Its out-of-sample performance (the degradation is is_best vs oos_of_best)."""
    prob_oos_loss: float
    """Share of splits where the picked configuration lost out-of-sample (performance < 0)."""
    n_splits: int
    n_blocks: int


@functools.lru_cache(maxsize=8)
def split_masks(n_blocks: int) -> np.ndarray:
    """Return a (C(S, S/2), S) boolean array (read-only, cached): True marks the blocks in-sample in each split."""
    combos = list(itertools.combinations(range(n_blocks), n_blocks // 2))
    masks = np.zeros((len(combos), n_blocks), dtype=bool)
    for row, combo in enumerate(combos):
        masks[row, list(combo)] = True
    masks.flags.writeable = False
    return masks


def _block_sums(matrix: np.ndarray, n_blocks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per block: row count (S,), sum and sum of squares per configuration (S, N)."""
    edges = np.linspace(0, len(matrix), n_blocks + 1).round().astype(np.int64)
    sums = np.add.reduceat(matrix, edges[:-1], axis=0)
    squares = np.add.reduceat(matrix**2, edges[:-1], axis=0)
    return np.diff(edges).astype(np.float64), sums, squares


def _performance(count: np.ndarray, total: np.ndarray, squares: np.ndarray, kind: str) -> np.ndarray:
    """Mean or Sharpe (mean / std, ddof 1) of each configuration from its row count, sum and sum of squares."""
    mean = total / count[:, None]
    if kind == "mean":
        return mean
    var = np.maximum(squares - count[:, None] * mean**2, 0.0) / (count[:, None] - 1)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > ZERO_VARIANCE * squares / count[:, None], mean / sd, np.nan)


def _relative_rank(test: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Out-of-sample rank of each split's pick among N, ties averaged, over N + 1."""
    picked = test[np.arange(len(test)), best][:, None]
    below = np.sum(test < picked, axis=1)
    ties = np.sum(test == picked, axis=1) - 1
    return (1.0 + below + ties / 2.0) / (test.shape[1] + 1)


def pbo_cscv(performance: np.ndarray, n_blocks: int = 16, metric: str = "sharpe") -> PBOResult:
    """Return the Probability of Backtest Overfitting of N configurations by CSCV (Bailey et al. 2015).

    `performance` is T x N: per-period returns (or P&L) of each configuration on the same periods.
    Rows are cut into `n_blocks` contiguous blocks of near-equal size (S even, 2 <= S, each block
    at least 2 rows). A configuration whose performance is undefined in a split (zero variance)
    ranks lowest there; a split where no configuration is defined in-sample is skipped.
    """
    m = _check_matrix(performance, n_blocks, metric)
    count, sums, squares = _block_sums(m, n_blocks)
    masks = split_masks(n_blocks).astype(np.float64)
    train = _performance(masks @ count, masks @ sums, masks @ squares, metric)
    test = _performance((1 - masks) @ count, (1 - masks) @ sums, (1 - masks) @ squares, metric)
    usable = np.isfinite(train).any(axis=1)
    train = np.where(np.isfinite(train), train, -np.inf)[usable]
    test = np.where(np.isfinite(test), test, -np.inf)[usable]
    best = np.argmax(train, axis=1)
    w = _relative_rank(test, best)
    logits = np.log(w / (1.0 - w))
    picked_oos = test[np.arange(len(test)), best]
    n = len(logits)
    return PBOResult(float(np.mean(logits <= 0)) if n else math.nan, logits,
                     train[np.arange(n), best], picked_oos,
                     float(np.mean(picked_oos < 0)) if n else math.nan, n, n_blocks)


def _check_matrix(performance: np.ndarray, n_blocks: int, metric: str) -> np.ndarray:
    m = np.asarray(performance, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] < 2:
        raise ResearchInputError(f"PBO needs a T x N matrix with N >= 2 configurations, not shape {m.shape}")
    if n_blocks < 2 or n_blocks % 2:
        raise ResearchInputError(f"the number of CSCV blocks must be even and >= 2, not {n_blocks}")
    if len(m) < 2 * n_blocks:
        raise ResearchInputError(f"{len(m)} periods are too few for {n_blocks} blocks of at least 2")
    if not np.isfinite(m).all():
        raise ResearchInputError("the performance matrix holds NaN or infinite values")
    if metric not in PERFORMANCE:
        raise ResearchInputError(f"unknown PBO performance {metric!r} (one of {', '.join(PERFORMANCE)})")
    return m
