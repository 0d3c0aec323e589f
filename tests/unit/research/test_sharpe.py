"""PSR and DSR against the worked example of Bailey & Lopez de Prado (2014) and the paper's formulas by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from kinetra.research.sharpe import (EULER_GAMMA, deflated_sharpe_ratio, expected_max_sharpe, moments,
                                     probabilistic_sharpe_ratio)


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_the_papers_numerical_example_gives_dsr_0_90() -> None:
    # Bailey & Lopez de Prado (2014), section 4: 100 trials, V[SR] = 1/2 annualised, 5 years of daily
    # returns (T = 1250), skew -3, kurtosis 10, annualised SR 2.5 -> E[max SR] 0.1132 daily, DSR 0.9004.
    var_daily = 0.5 / 250
    sr_star = expected_max_sharpe(var_daily, 100)
    by_hand = math.sqrt(var_daily) * ((1 - EULER_GAMMA) * NormalDist().inv_cdf(1 - 1 / 100)
                                      + EULER_GAMMA * NormalDist().inv_cdf(1 - 1 / (100 * math.e)))
    assert sr_star == pytest.approx(by_hand, rel=1e-12)
    assert sr_star == pytest.approx(0.1132, abs=5e-5)
    sr = 2.5 / math.sqrt(250)
    dsr = probabilistic_sharpe_ratio(sr, sr_star, 1250, skew=-3, kurtosis=10)
    z = (sr - sr_star) * math.sqrt(1249) / math.sqrt(1 + 3 * sr + 9 / 4 * sr**2)
    assert dsr == pytest.approx(phi(z), rel=1e-9)
    assert dsr == pytest.approx(0.9004, abs=1e-3)


def test_psr_of_normal_returns_is_the_t_like_probability() -> None:
    assert probabilistic_sharpe_ratio(0.1, 0.0, 101) == pytest.approx(phi(0.1 * 10 / math.sqrt(1 + 0.5 * 0.01)))
    assert probabilistic_sharpe_ratio(0.0, 0.0, 500) == pytest.approx(0.5)


def test_one_trial_is_not_deflated_and_more_trials_raise_the_bar() -> None:
    assert expected_max_sharpe(0.01, 1) == 0.0
    bars = [expected_max_sharpe(0.01, n) for n in (2, 10, 100, 1000)]
    assert bars == sorted(bars) and bars[0] > 0


def test_moments_are_the_population_ratios() -> None:
    r = np.array([0.01, -0.02, 0.03, 0.0, 0.015, -0.005])
    sr, skew, kurt, n = moments(r)
    d = r - r.mean()
    assert sr == pytest.approx(r.mean() / r.std(ddof=1))
    assert skew == pytest.approx(np.mean(d**3) / np.mean(d**2) ** 1.5)
    assert kurt == pytest.approx(np.mean(d**4) / np.mean(d**2) ** 2)
    assert n == 6


def test_dsr_uses_the_variance_of_the_trials_and_the_number_actually_run() -> None:
    r = np.random.default_rng(1).normal(0.05, 1, 2000)
    trials = np.array([0.01, -0.02, 0.03, 0.05, 0.0])
    few = deflated_sharpe_ratio(r, trials)
    many = deflated_sharpe_ratio(r, trials, n_trials=500)
    assert few.n_trials == 5 and many.n_trials == 500
    assert few.sr_star == pytest.approx(expected_max_sharpe(float(trials.var(ddof=1)), 5))
    assert many.dsr < few.dsr
    sr, skew, kurt, n = moments(r)
    assert few.dsr == pytest.approx(probabilistic_sharpe_ratio(sr, few.sr_star, n, skew, kurt))


def test_undefined_inputs_give_nan_not_an_error() -> None:
    assert math.isnan(deflated_sharpe_ratio(np.zeros(50), [0.1, 0.2]).dsr)
    assert math.isnan(probabilistic_sharpe_ratio(float("nan"), 0.0, 100))
