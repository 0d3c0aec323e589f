"""Bootstrap intervals: the kernel equals a plain-Python resampling, intervals cover, seeds reproduce."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinetra.errors import ResearchInputError
from kinetra.research.bootstrap import (block_draws, bootstrap_ci, bootstrap_draws, optimal_block,
                                        resampled_statistics,
                                        trade_bootstrap_ci)
from kinetra.research.measures import profit_factor, sharpe, total_return


def reference_path(r: np.ndarray, lengths: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """One resampled path, built value by value from its blocks."""
    path: list[float] = []
    for length, start in zip(lengths, starts, strict=True):
        for i in range(length):
            if len(path) == len(r):
                return np.array(path)
            path.append(r[(start + i) % len(r)])
    return np.array(path)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-0.05, 0.05), min_size=2, max_size=60), st.sampled_from(["iid", "stationary", "block"]),
       st.floats(1, 8), st.integers(0, 2**32 - 1))
def test_kernel_equals_statistics_of_the_literal_resampled_paths(values: list[float], method: str, block: float,
                                                                 seed: int) -> None:
    r = np.array(values)
    lengths, starts = block_draws(len(r), 5, method, block, np.random.default_rng(seed))
    got = resampled_statistics(r, lengths, starts)
    for b in range(5):
        path = reference_path(r, lengths[b], starts[b])
        assert len(path) == len(r)
        want = [sharpe(path), total_return(path), profit_factor(path)]
        for g, w in zip(got[b], want, strict=True):
            assert (math.isnan(g) and math.isnan(w)) or g == pytest.approx(w, rel=1e-9, abs=1e-12)


def test_stationary_blocks_have_geometric_lengths_with_the_requested_mean() -> None:
    lengths, starts = block_draws(1000, 200, "stationary", 10.0, np.random.default_rng(0))
    assert np.all(lengths.sum(axis=1) >= 1000)
    assert lengths.mean() == pytest.approx(10.0, rel=0.03)
    assert starts.min() >= 0 and starts.max() < 1000


def test_percentile_intervals_of_the_trade_bootstrap_cover_the_true_sharpe_about_95_percent() -> None:
    mu, sd, true = 0.1, 1.0, 0.1
    cover = 0
    for seed in range(200):
        r = np.random.default_rng([seed, 1]).normal(mu, sd, 300)
        ci = trade_bootstrap_ci(r, ("sharpe",), n_boot=500, seed=seed)["sharpe"]
        cover += ci.low <= true <= ci.high
    assert 180 <= cover <= 198  # 95 % of 200 is 190; binomial sd ~3


def test_stationary_intervals_cover_the_mean_sharpe_of_autocorrelated_returns() -> None:
    cover = 0
    for seed in range(100):
        rng = np.random.default_rng([seed, 2])
        e = rng.normal(0, 1, 1200)
        r = 0.1 + np.convolve(e, [1.0, 0.6, 0.3], mode="full")[:1200]  # MA(2): mean 0.1, sd sqrt(1.45)
        ci = bootstrap_ci(r, ("sharpe",), "stationary", n_boot=400, seed=seed)["sharpe"]
        cover += ci.low <= 0.1 / math.sqrt(1.45) <= ci.high
    assert 85 <= cover <= 100


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    r = np.random.default_rng(4).normal(0.001, 0.01, 2000)
    a, b = bootstrap_draws(r, seed=9), bootstrap_draws(r, seed=9)
    c = bootstrap_draws(r, seed=10)
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    assert not np.array_equal(a["sharpe"], c["sharpe"])


def test_interval_fields_estimate_annualisation_and_undefined_draws() -> None:
    r = np.random.default_rng(6).normal(0.001, 0.01, 500)
    ci = bootstrap_ci(r, level=0.9, n_boot=300, per_year=252, seed=1)
    assert ci["sharpe"].estimate == pytest.approx(sharpe(r, 252))
    assert ci["sharpe"].low < ci["sharpe"].estimate < ci["sharpe"].high
    assert ci["total_return"].estimate == pytest.approx(np.prod(1 + r) - 1)
    assert ci["sharpe"].level == 0.9 and ci["sharpe"].n_boot == 300
    gains_only = bootstrap_ci([0.01, 0.02, 0.0, 0.03], ("profit_factor",), "iid", n_boot=50, seed=0)
    assert gains_only["profit_factor"].nan_share == 1.0 and math.isnan(gains_only["profit_factor"].low)


@pytest.mark.parametrize("bad", [dict(returns=[0.1]), dict(returns=[0.1, np.nan]), dict(method="jackknife"),
                                 dict(level=1.5), dict(n_boot=0), dict(statistics=("sortino",)),
                                 dict(block=0.5), dict(block="long")])
def test_bad_input_raises_a_research_input_error(bad: dict) -> None:
    args = dict(returns=[0.01, -0.02, 0.03]) | bad
    with pytest.raises(ResearchInputError):
        bootstrap_ci(**args)


def test_automatic_block_length_follows_the_politis_white_theory_for_ar1() -> None:
    # For AR(1) with coefficient phi the optimal stationary-bootstrap block is
    # (4 phi^2 / (1 - phi^2)^2)^(1/3) n^(1/3) (Politis & White 2004, with G and D in closed form).
    n, phi = 20_000, 0.5
    e = np.random.default_rng(8).normal(size=n)
    x = np.empty(n)
    x[0] = e[0]
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    theory = (4 * phi**2 / (1 - phi**2) ** 2) ** (1 / 3) * n ** (1 / 3)
    assert optimal_block(x) == pytest.approx(theory, rel=0.35)
    assert optimal_block(np.random.default_rng(9).normal(size=n)) < 4
    ci = bootstrap_ci(x, ("sharpe",), block="auto", n_boot=50, seed=0)["sharpe"]
    assert ci.block == pytest.approx(optimal_block(x))
