"""The Probabilistic and Deflated Sharpe Ratios: is a Sharpe ratio real after non-normal returns and many trials?

Bailey & Lopez de Prado (2012), "The Sharpe Ratio Efficient Frontier", J. of Risk 15(2): the PSR
is the probability that the true Sharpe ratio exceeds a benchmark SR*, given T returns with
skewness g3 and (non-excess) kurtosis g4:

    PSR(SR*) = Phi( (SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2) )

Bailey & Lopez de Prado (2014), "The Deflated Sharpe Ratio: Correcting for Selection Bias,
Backtest Overfitting and Non-Normality", J. of Portfolio Management 40(5): with N independent
trials whose Sharpe ratios have variance V, the expected maximum Sharpe ratio of pure noise is

    SR* = sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))),  gamma = 0.5772...

and DSR = PSR(SR*). All Sharpe ratios here are per period (not annualised), in the frequency of
the returns. The normal CDF and its inverse come from the standard library (statistics.NormalDist).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from kinetra.errors import ResearchInputError
from kinetra.research.measures import ZERO_VARIANCE, as_returns

EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()


@dataclass(frozen=True)
class DeflatedSharpe:
    """The DSR of one candidate and the numbers it was made from."""

    dsr: float
    sharpe: float
    """Per-period Sharpe ratio of the candidate's returns."""
    sr_star: float
    """Expected maximum per-period Sharpe ratio of N noise trials (the deflated benchmark)."""
    n_trials: int
    n_obs: int
    skew: float
    kurtosis: float
    """Non-excess kurtosis (3 for a normal distribution)."""


def moments(returns: Sequence[float] | np.ndarray) -> tuple[float, float, float, int]:
    """Return (per-period Sharpe, skewness, non-excess kurtosis, T) of a return series.

    Sharpe is mean / sample std (ddof 1); skewness and kurtosis are the population moment ratios
    m3 / m2^1.5 and m4 / m2^2 used in Bailey & Lopez de Prado (2012). NaN where undefined.
    """
    r = as_returns(returns)
    n = len(r)
    if n < 2:
        return math.nan, math.nan, math.nan, n
    d = r - r.mean()
    m2 = float(np.mean(d**2))
    if not m2 > ZERO_VARIANCE * float(np.mean(r**2)):
        return math.nan, math.nan, math.nan, n
    sr = float(r.mean() / r.std(ddof=1))
    return sr, float(np.mean(d**3) / m2**1.5), float(np.mean(d**4) / m2**2), n


def probabilistic_sharpe_ratio(sharpe: float, sr_benchmark: float, n_obs: int, skew: float = 0.0,
                               kurtosis: float = 3.0) -> float:
    """Return PSR: the probability the true per-period Sharpe exceeds `sr_benchmark` (Bailey & Lopez de Prado 2012).

    NaN when an input is NaN, T < 2, or the variance term 1 - g3 SR + (g4 - 1)/4 SR^2 is not positive.
    """
    values = (sharpe, sr_benchmark, skew, kurtosis)
    if n_obs < 2 or any(not math.isfinite(v) for v in values):
        return math.nan
    var = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if var <= 0:
        return math.nan
    return _NORMAL.cdf((sharpe - sr_benchmark) * math.sqrt(n_obs - 1) / math.sqrt(var))


def expected_max_sharpe(sharpe_variance: float, n_trials: int) -> float:
    """Return the expected maximum Sharpe ratio of `n_trials` zero-skill trials (Bailey & Lopez de Prado 2014, eq. 2).

    The False Strategy Theorem: sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))).
    With one trial nothing was selected, so the benchmark is 0.
    """
    if n_trials < 1:
        raise ResearchInputError(f"the number of trials must be at least 1, not {n_trials}")
    if not sharpe_variance >= 0:
        raise ResearchInputError(f"the variance of the trials' Sharpe ratios must be >= 0, not {sharpe_variance}")
    if n_trials == 1:
        return 0.0
    z1 = _NORMAL.inv_cdf(1.0 - 1.0 / n_trials)
    z2 = _NORMAL.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(sharpe_variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


def deflated_sharpe_ratio(returns: Sequence[float] | np.ndarray, trial_sharpes: Sequence[float] | np.ndarray,
                          n_trials: int | None = None) -> DeflatedSharpe:
    """Return the DSR of a candidate's returns against the trials it was selected from (Bailey & Lopez de Prado 2014).

    `trial_sharpes` are the per-period Sharpe ratios of every trial run (the candidate included);
    their sample variance (ddof 1) sets the benchmark. `n_trials` defaults to how many were given
    and should count every trial actually run, including ones not passed in. Undefined Sharpe
    ratios among the trials are left out of the variance but still count as trials.
    """
    sr, skew, kurt, n_obs = moments(returns)
    trials = np.asarray(trial_sharpes, dtype=np.float64)
    n = len(trials) if n_trials is None else int(n_trials)
    finite = trials[np.isfinite(trials)]
    variance = float(finite.var(ddof=1)) if len(finite) > 1 else 0.0
    sr_star = expected_max_sharpe(variance, max(n, 1))
    return DeflatedSharpe(probabilistic_sharpe_ratio(sr, sr_star, n_obs, skew, kurt), sr, sr_star, n, n_obs,
                          skew, kurt)
