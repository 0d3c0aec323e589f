"""Permutation p-values: could a strategy's result come from entries with no timing skill?

The random-entry null keeps what a strategy chose besides timing: the number of trades, each
trade's holding time and side. It places the same trades at uniformly random, non-overlapping
bars of the same series and scores them the same way; the p-value is (1 + #null >= observed) /
(1 + N), which is exact (valid in finite samples) for a permutation test (Phipson & Smyth 2010,
"Permutation p-values should never be zero", SAGMB 9(1)). Keeping sides makes a long-only
strategy in a rising market compare with random long-only entries, so drift is not timing skill.
The scoring is a unit-size model on the traded price: a trade on bars [e, e + h) earns
side x (log p[e + h] - log p[e]) with p the fill price (next open, or close), minus a cost per
trade; sizing and equity compounding are left out, which is what makes placements comparable.

Two nulls of a return series alone: the sign-flip null (returns symmetric about 0 under H0;
flips in blocks keep short-range dependence) and the centred stationary-bootstrap null (returns
with mean 0 and the same dependence; Politis & Romano 1994).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from kinetra.errors import ResearchInputError
from kinetra.research.bootstrap import block_draws, draw_chunks, resampled_statistics, resolve_block
from kinetra.research.measures import STATISTICS, ZERO_VARIANCE, Seed, as_generator, as_returns, measure

TRADE_STATISTICS = ("sharpe", "mean_trade", "total_return", "profit_factor")
RETURN_STATISTICS = ("sharpe", "total_return", "profit_factor")


@dataclass(frozen=True)
class TradeBook:
    """A strategy's trades on a bar grid: each holds bars [entry, entry + hold) on one side."""

    entries: np.ndarray
    holds: np.ndarray
    sides: np.ndarray
    n_bars: int


@dataclass(frozen=True)
class NullTest:
    """An observed statistic, its null distribution and the permutation p-value."""

    statistic: str
    observed: float
    null: np.ndarray
    p_value: float


def permutation_p_value(observed: float, null: np.ndarray) -> float:
    """Return (1 + #(null >= observed)) / (1 + N): never 0, exact under exchangeability (Phipson & Smyth 2010).

    A NaN null draw counts as not reaching the observed value; a NaN observed value gives p = 1.
    """
    null = np.asarray(null, dtype=np.float64)
    if not np.isfinite(observed):
        return 1.0
    return float((1 + np.count_nonzero(null >= observed)) / (1 + len(null)))


def trades_on_bars(trades: pd.DataFrame, index: pd.DatetimeIndex, fill: str = "next_open") -> TradeBook:
    """Return a backtest's trades (entry_time, exit_time, side) as bar positions on `index`.

    In next-open mode a trade closed because the data ended ("end") exits at the last close, so it
    holds through the last bar (see `fill_log_returns`). Stop and take-profit exits are placed at
    their bar, an approximation of an intrabar fill.
    """
    if trades.empty:
        empty = np.zeros(0, dtype=np.int64)
        return TradeBook(empty, empty, np.zeros(0), len(index))
    entries = index.get_indexer(pd.DatetimeIndex(trades["entry_time"]))
    exits = index.get_indexer(pd.DatetimeIndex(trades["exit_time"]))
    if fill == "next_open" and "exit_reason" in trades.columns:
        exits = np.where(trades["exit_reason"].to_numpy() == "end", len(index), exits)
    if (entries < 0).any() or (exits < 0).any():
        raise ResearchInputError("trade times are not bars of the series they are scored on")
    order = np.argsort(entries, kind="stable")
    return TradeBook(entries[order].astype(np.int64), (exits - entries)[order].astype(np.int64),
                     np.sign(trades["side"].to_numpy(dtype=np.float64))[order], len(index))


def log_returns_of(prices: Sequence[float] | np.ndarray) -> np.ndarray:
    """Return x[t] = log(p[t + 1] / p[t]) with x[n - 1] = 0: what a position held over bar t earns."""
    p = as_returns(prices, "prices")
    if (p <= 0).any():
        raise ResearchInputError("prices must be positive")
    return np.r_[np.diff(np.log(p)), 0.0]


@numba.njit(cache=True, nogil=True)
def selection_sample(u: np.ndarray, k: int) -> np.ndarray:
    """Return (n_draws, k) sorted distinct integers in [0, M), M = u.shape[1], from uniforms u.

    Knuth's Algorithm S (selection sampling; TAOCP vol. 2, 3.4.2): value i is taken with
    probability (k - taken) / (M - i), which makes every k-subset equally likely.
    """
    n_draws, m = u.shape
    out = np.empty((n_draws, k), dtype=np.int64)
    for b in range(n_draws):
        taken = 0
        for i in range(m):
            if taken == k:
                break
            if (m - i) * u[b, i] < k - taken:
                out[b, taken] = i
                taken += 1
    return out


def fill_log_returns(bars: pd.DataFrame, fill: str = "next_open") -> np.ndarray:
    """Return what a unit position held over each bar earns in log terms, for a backtest's fill mode.

    next_open: log(open[t + 1] / open[t]), and log(close / open) on the last bar (where open trades
    are closed at the close). close: log(close[t + 1] / close[t]), 0 on the last bar.
    """
    if fill == "close":
        return log_returns_of(bars["close"].to_numpy(dtype=np.float64))
    x = log_returns_of(bars["open"].to_numpy(dtype=np.float64))
    if len(x):
        x[-1] = float(np.log(bars["close"].iat[-1] / bars["open"].iat[-1]))
    return x


def random_placements(holds: np.ndarray, n_bars: int, n_draws: int,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return (entries, order): n_draws uniformly random non-overlapping placements of the trades.

    Trades are shuffled (order[d] lists which trade goes k-th) and the n_bars - sum(holds) free bars
    are split into k + 1 gaps by a uniform composition (k sorted distinct draws from n_free + k), so
    every placement of the labelled trades is equally likely.
    """
    k = len(holds)
    free = n_bars - int(holds.sum())
    if free < 0:
        raise ResearchInputError("the trades hold more bars than the series has (do they overlap?)")
    order = rng.permuted(np.tile(np.arange(k), (n_draws, 1)), axis=1)
    slots = selection_sample(rng.random((n_draws, free + k)), k)
    held = holds[order]
    before = np.cumsum(held, axis=1) - held
    return slots - np.arange(k) + before, order


def trade_statistic(x: np.ndarray, entries: np.ndarray, holds: np.ndarray, sides: np.ndarray, statistic: str,
                    cost: float = 0.0) -> np.ndarray | float:
    """Score placed trades (one row per placement) under the unit-size model of this module.

    sharpe: per-bar mean / std (ddof 1) of the strategy's bar returns over all n bars (flat bars
    count as 0; not annualised). mean_trade and total_return: mean and sum of trade log returns.
    profit_factor: sum of winning over |sum of losing| trade log returns. Costs are per trade.
    """
    cum = np.r_[0.0, np.cumsum(x)]
    trade = sides * (cum[entries + holds] - cum[entries]) - cost
    if statistic == "mean_trade":
        return trade.mean(axis=-1)
    if statistic == "total_return":
        return trade.sum(axis=-1)
    if statistic == "profit_factor":
        return measure("profit_factor")(trade)
    if statistic != "sharpe":
        raise ResearchInputError(f"unknown statistic {statistic!r} (one of {', '.join(TRADE_STATISTICS)})")
    cum2 = np.r_[0.0, np.cumsum(x**2)]
    first = np.r_[x, 0.0][entries] * (holds > 0)
    squares = cum2[entries + holds] - cum2[entries] - 2 * cost * sides * first + cost**2
    n = len(x)
    total, total_sq = trade.sum(axis=-1), squares.sum(axis=-1)
    var = np.maximum(total_sq - total**2 / n, 0.0) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(var > ZERO_VARIANCE * total_sq / n, total / n / np.sqrt(var), np.nan)
    return float(out) if np.ndim(out) == 0 else out


def random_entry_test(log_returns: np.ndarray, book: TradeBook, statistic: str = "sharpe", n_null: int = 1000,
                      cost: float = 0.0, seed: Seed = None) -> NullTest:
    """Test a strategy's timing against the random-entry null: same trades, holding times and sides at random bars.

    `log_returns` are `log_returns_of(fill prices)` on the book's bar grid. With no trade the
    statistic is undefined and p = 1.
    """
    x = as_returns(log_returns, "log_returns")
    if len(x) != book.n_bars or len(x) < 2:
        raise ResearchInputError(f"{len(x)} bar returns for a trade book of {book.n_bars} bars")
    if n_null < 1:
        raise ResearchInputError(f"n_null must be at least 1, not {n_null}")
    if len(book.entries) == 0:
        return NullTest(statistic, np.nan, np.full(n_null, np.nan), 1.0)
    observed = float(trade_statistic(x, book.entries, book.holds, book.sides, statistic, cost))
    rng = as_generator(seed)
    null = np.concatenate([_placed(x, book, size, statistic, cost, rng)
                           for size in draw_chunks(book.n_bars + 4 * len(book.entries), n_null)])
    return NullTest(statistic, observed, null, permutation_p_value(observed, null))


def _placed(x: np.ndarray, book: TradeBook, size: int, statistic: str, cost: float,
            rng: np.random.Generator) -> np.ndarray:
    entries, order = random_placements(book.holds, book.n_bars, size, rng)
    return np.asarray(trade_statistic(x, entries, book.holds[order], book.sides[order], statistic, cost))


def sign_flip_test(returns: Sequence[float] | np.ndarray, statistic: str = "sharpe", n_null: int = 1000,
                   block: int = 1, seed: Seed = None) -> NullTest:
    """Test H0 "returns are symmetric about 0" by flipping the signs of blocks of `block` returns at random.

    A randomisation test (Fisher 1935; Good 2005, "Permutation, Parametric and Bootstrap Tests of
    Hypotheses", ch. 3); blocks longer than 1 keep dependence shorter than a block.
    """
    r = as_returns(returns)
    _check_null(r, statistic, n_null)
    if not (isinstance(block, int | np.integer) and block >= 1):
        raise ResearchInputError(f"sign-flip block must be a whole number of bars >= 1, not {block!r}")
    fn = measure(statistic)
    rng = as_generator(seed)
    n_blocks = -(-len(r) // block)
    parts = []
    for size in draw_chunks(len(r), n_null):
        signs = np.repeat(rng.choice(np.array([-1.0, 1.0]), size=(size, n_blocks)), block, axis=1)[:, :len(r)]
        parts.append(np.asarray(fn(signs * r)))
    observed = float(fn(r))
    null = np.concatenate(parts)
    return NullTest(statistic, observed, null, permutation_p_value(observed, null))


def bootstrap_null_test(returns: Sequence[float] | np.ndarray, statistic: str = "sharpe", n_null: int = 1000,
                        block: float | str | None = None, seed: Seed = None) -> NullTest:
    """Test H0 "mean return is 0" with the stationary bootstrap of the demeaned returns (Politis & Romano 1994).

    The null keeps the returns' distribution and short-range dependence but not their mean; for
    total return and profit factor it is an approximation (they also depend on the mean).
    """
    r = as_returns(returns)
    _check_null(r, statistic, n_null)
    fn = measure(statistic)
    rng = as_generator(seed)
    block = resolve_block(r, block)
    centred = r - r.mean()
    column = STATISTICS.index(statistic)
    null = np.concatenate([
        resampled_statistics(centred, *block_draws(len(r), size, "stationary", block, rng))[:, column]
        for size in draw_chunks(len(r), n_null)])
    observed = float(fn(r))
    return NullTest(statistic, observed, null, permutation_p_value(observed, null))


def _check_null(r: np.ndarray, statistic: str, n_null: int) -> None:
    if len(r) < 2:
        raise ResearchInputError(f"a null test needs at least 2 returns, got {len(r)}")
    if n_null < 1:
        raise ResearchInputError(f"n_null must be at least 1, not {n_null}")
    if statistic not in RETURN_STATISTICS:
        raise ResearchInputError(f"unknown statistic {statistic!r} (one of {', '.join(RETURN_STATISTICS)})")
