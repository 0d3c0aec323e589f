"""Permutation nulls: placements uniform and non-overlapping, p-values uniform under the null, seeds reproduce."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinetra.errors import ResearchInputError
from kinetra.research.nulls import (TradeBook, bootstrap_null_test, log_returns_of, permutation_p_value,
                                    random_entry_test, random_placements, selection_sample, sign_flip_test,
                                    trade_statistic, trades_on_bars)


def reference_statistic(x: np.ndarray, entries: np.ndarray, holds: np.ndarray, sides: np.ndarray, statistic: str,
                        cost: float) -> float:
    """Build the per-bar strategy returns bar by bar and score them."""
    bars = np.zeros(len(x))
    trades = []
    for e, h, s in zip(entries, holds, sides, strict=True):
        bars[e:e + h] += s * x[e:e + h]
        if h > 0:
            bars[e] -= cost
        trades.append(s * x[e:e + h].sum() - cost)
    if statistic == "sharpe":
        return bars.mean() / bars.std(ddof=1)
    if statistic == "mean_trade":
        return float(np.mean(trades))
    return float(np.sum(trades))


@pytest.mark.parametrize("statistic", ["sharpe", "mean_trade", "total_return"])
def test_trade_statistic_equals_the_bar_by_bar_reference(statistic: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(0, 0.01, 300)
    entries, holds, sides = np.array([3, 40, 41, 120, 250]), np.array([10, 1, 30, 5, 50]), np.array([1., -1, 1, -1, 1])
    got = trade_statistic(x, entries, holds, sides, statistic, cost=0.002)
    assert got == pytest.approx(reference_statistic(x, entries, holds, sides, statistic, 0.002), rel=1e-9)


def test_placements_never_overlap_stay_inside_and_keep_every_trade() -> None:
    holds = np.array([5, 1, 12, 3, 7])
    entries, order = random_placements(holds, 40, 500, np.random.default_rng(0))
    held = holds[order]
    assert np.all(entries >= 0) and np.all(entries + held <= 40)
    assert np.all(entries[:, 1:] >= entries[:, :-1] + held[:, :-1])
    assert np.all(np.sort(order, axis=1) == np.arange(5))


def test_every_placement_is_equally_likely() -> None:
    # Two trades of 2 bars and 1 bar in 5 bars: 2 orders x C(2 + 2, 2) = 12 placements.
    entries, order = random_placements(np.array([2, 1]), 5, 12_000, np.random.default_rng(1))
    counts = Counter(zip(order[:, 0], entries[:, 0], entries[:, 1], strict=True))
    assert len(counts) == 12
    assert max(counts.values()) < 1.15 * 1000 and min(counts.values()) > 0.85 * 1000


def test_selection_sampling_draws_sorted_distinct_values_uniformly() -> None:
    out = selection_sample(np.random.default_rng(3).random((20_000, 6)), 2)
    assert np.all(out[:, 1] > out[:, 0])
    counts = Counter(map(tuple, out))
    assert len(counts) == 15 and min(counts.values()) > 0.85 * 20_000 / 15


def test_p_value_counts_ties_and_is_never_zero() -> None:
    assert permutation_p_value(2.0, np.array([1.0, 2.0, 3.0])) == 0.75
    assert permutation_p_value(9.0, np.zeros(99)) == 0.01
    assert permutation_p_value(float("nan"), np.zeros(9)) == 1.0


def test_random_entry_p_values_are_uniform_when_the_entries_are_random() -> None:
    ps = []
    for seed in range(300):
        rng = np.random.default_rng([seed, 7])
        x = rng.standard_t(4, 600) * 0.001
        holds = rng.integers(1, 15, 12)
        entries, order = random_placements(holds, 600, 1, rng)
        book = TradeBook(entries[0], holds[order[0]], np.where(rng.random(12) < 0.5, -1.0, 1.0), 600)
        ps.append(random_entry_test(x, book, "sharpe", n_null=199, seed=seed).p_value)
    buckets = np.histogram(ps, bins=5, range=(0, 1))[0]
    assert np.all(np.abs(buckets - 60) <= 22), buckets  # 60 expected per bucket, sd ~7
    assert sum(p <= 0.05 for p in ps) <= 27


def test_sign_flip_p_values_are_uniform_for_symmetric_zero_mean_returns() -> None:
    ps = [sign_flip_test(np.random.default_rng([s, 8]).standard_t(3, 400), n_null=199, seed=s).p_value
          for s in range(300)]
    buckets = np.histogram(ps, bins=5, range=(0, 1))[0]
    assert np.all(np.abs(buckets - 60) <= 22), buckets


def test_nulls_find_a_real_timing_edge_and_a_real_mean() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(0, 0.01, 2000)
    entries = np.arange(0, 2000, 20)
    holds = np.full(100, 5)
    sides = np.sign(x[entries] + 1e-12)  # each trade is long exactly when its first bar rises: perfect timing
    assert random_entry_test(x, TradeBook(entries, holds, sides, 2000), n_null=199, seed=1).p_value == 0.005
    drift = rng.normal(0.002, 0.01, 1000)
    assert sign_flip_test(drift, n_null=199, seed=1).p_value < 0.05
    assert bootstrap_null_test(drift, n_null=199, seed=1).p_value < 0.05


def test_same_seed_same_null() -> None:
    x = np.random.default_rng(0).normal(0, 0.01, 500)
    book = TradeBook(np.array([10, 100, 300]), np.array([20, 5, 60]), np.array([1.0, -1.0, 1.0]), 500)
    a, b = random_entry_test(x, book, seed=4), random_entry_test(x, book, seed=4)
    assert np.array_equal(a.null, b.null) and a.p_value == b.p_value
    assert not np.array_equal(a.null, random_entry_test(x, book, seed=5).null)
    assert np.array_equal(sign_flip_test(x, seed=3, block=5).null, sign_flip_test(x, seed=3, block=5).null)


def test_trades_frame_maps_to_bar_positions_and_prices_to_log_returns() -> None:
    index = pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC")
    trades = pd.DataFrame({"entry_time": [index[3], index[0]], "exit_time": [index[5], index[2]], "side": [-1, 1]})
    book = trades_on_bars(trades, index)
    assert book.entries.tolist() == [0, 3] and book.holds.tolist() == [2, 2] and book.sides.tolist() == [1, -1]
    x = log_returns_of([1.0, 2.0, 4.0])
    assert x == pytest.approx([math.log(2), math.log(2), 0.0])


def test_no_trades_gives_p_one_and_bad_input_raises() -> None:
    empty = TradeBook(np.zeros(0, int), np.zeros(0, int), np.zeros(0), 10)
    assert random_entry_test(np.zeros(10), empty).p_value == 1.0
    with pytest.raises(ResearchInputError):
        random_entry_test(np.zeros(9), empty)
    with pytest.raises(ResearchInputError):
        random_placements(np.array([6, 6]), 10, 1, np.random.default_rng(0))
    with pytest.raises(ResearchInputError):
        sign_flip_test([0.1, 0.2], statistic="mean_trade")
    with pytest.raises(ResearchInputError):
        sign_flip_test([0.1, 0.2], block=0)
    with pytest.raises(ResearchInputError):
        bootstrap_null_test([0.1, 0.2, 0.3], block=0.2)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(0, 40), st.integers(0, 2**32 - 1))
def test_selection_kernel_equals_a_plain_python_algorithm_s(m: int, k: int, seed: int) -> None:
    k = min(k, m)
    u = np.random.default_rng(seed).random((3, m))
    want = []
    for row in u:
        taken: list[int] = []
        for i, v in enumerate(row):
            if len(taken) < k and (m - i) * v < k - len(taken):
                taken.append(i)
        want.append(taken)
    assert selection_sample(u, k).tolist() == want
