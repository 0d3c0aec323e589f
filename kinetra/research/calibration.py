"""Calibration of the verdict: markets with no edge or a planted one, simple strategies, and the rates they give.

A verdict is only as good as its error rates. `null_family` backtests many random strategy
variants on a driftless random walk (every "edge" is a false positive); `planted_family` backtests
a momentum family on returns with a known lag-1 autocorrelation phi, which momentum with a short
lookback exploits (E[sign(r[t]) r[t+1]] = phi E|r| > 0), next to random moving-average crossovers.
Both run the real backtester with spread costs. Used by the tests and bench/stats_bench.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kinetra.backtest import SymbolSpec, run
from kinetra.research.assess import Assessment, Candidate, assess, candidate_from_backtest
from kinetra.research.measures import Seed, as_generator
from kinetra.research.verdict import EDGE, VerdictConfig

MOMENTUM_LOOKBACKS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
SPEC = SymbolSpec(digits=5, spread_points=8)
Family = list[tuple[str, str, np.ndarray]]


def synthetic_bars(n: int, seed: Seed, phi: float = 0.0, sigma: float = 1e-3, spread_points: float = 8.0,
                   start: str = "2024-01-01") -> pd.DataFrame:
    """Return n hourly bars whose log returns are AR(1) with coefficient phi and Student-t(5) shocks.

    phi = 0 is a driftless random walk (no edge to find). Volatility is sigma per bar; each bar
    opens at the previous close; the spread column is constant in points.
    """
    rng = as_generator(seed)
    shocks = rng.standard_t(5, n) / np.sqrt(5 / 3) * sigma * np.sqrt(1 - phi**2)
    r = np.empty(n)
    prev = 0.0
    for t in range(n):
        prev = phi * prev + shocks[t]
        r[t] = prev
    close = 1.1 * np.exp(np.cumsum(r))
    open_ = np.r_[1.1, close[:-1]]
    wick = np.abs(rng.normal(0, 0.5 * sigma, (2, n))) * close
    index = pd.date_range(start, periods=n, freq="h", tz="UTC", name="time")
    return pd.DataFrame({"open": open_, "high": np.maximum(open_, close) + wick[0],
                         "low": np.minimum(open_, close) - wick[1], "close": close,
                         "spread": np.full(n, float(spread_points))}, index=index)


def ma_crossover(close: np.ndarray, fast: int, slow: int) -> np.ndarray:
    """Target +1 when the `fast`-bar mean close is above the `slow`-bar mean, -1 below, 0 until both exist."""
    cum = np.r_[0.0, np.cumsum(close)]
    out = np.zeros(len(close))
    t = np.arange(slow - 1, len(close))
    fast_ma = (cum[t + 1] - cum[t + 1 - fast]) / fast
    slow_ma = (cum[t + 1] - cum[t + 1 - slow]) / slow
    out[t] = np.sign(fast_ma - slow_ma)
    return out


def momentum(close: np.ndarray, lookback: int) -> np.ndarray:
    """Target the sign of the last `lookback` bars' return (0 for the first `lookback` bars)."""
    out = np.zeros(len(close))
    out[lookback:] = np.sign(close[lookback:] - close[:-lookback])
    return out


def random_signal(n: int, rng: np.random.Generator, mean_hold: float = 20.0) -> np.ndarray:
    """Target -1, 0 or +1 drawn afresh at random bars (on average every `mean_hold` bars)."""
    change = rng.random(n) < 1.0 / mean_hold
    change[0] = True
    values = rng.integers(-1, 2, n).astype(np.float64)
    return values[np.maximum.accumulate(np.where(change, np.arange(n), 0))]


def random_variants(close: np.ndarray, n_groups: int, per_group: int, seed: Seed) -> Family:
    """Return n_groups x per_group random strategies: MA crossovers, momentum and random signals, by group."""
    rng = as_generator(seed)
    family: Family = []
    for g in range(n_groups):
        kind = ("ma", "momentum", "random")[g % 3]
        for v in range(per_group):
            if kind == "ma":
                fast = int(rng.integers(2, 50))
                slow = fast + int(rng.integers(2, 150))
                family.append((f"ma{g}_{fast}_{slow}", f"ma{g}", ma_crossover(close, fast, slow)))
            elif kind == "momentum":
                lookback = int(rng.integers(1, 100))
                family.append((f"mom{g}_{lookback}", f"mom{g}", momentum(close, lookback)))
            else:
                family.append((f"rnd{g}_{v}", f"rnd{g}", random_signal(len(close), rng)))
    return family


def backtest_family(bars: pd.DataFrame, family: Family) -> list[Candidate]:
    """Backtest every (name, group, positions) with spread costs and next-open fills; return the Candidates."""
    per_year = 24 * 365.25
    return [candidate_from_backtest(name, group, bars, run(bars, positions, SPEC), per_year=per_year)
            for name, group, positions in family]


def null_family(seed: int, n_bars: int = 4000, n_groups: int = 10, per_group: int = 10,
                config: VerdictConfig | None = None) -> list[Assessment]:
    """Assess n_groups x per_group random strategies on a driftless random walk: every "edge" is false."""
    bars = synthetic_bars(n_bars, np.random.SeedSequence([seed, 0]))
    family = random_variants(bars["close"].to_numpy(), n_groups, per_group, np.random.SeedSequence([seed, 1]))
    return assess(backtest_family(bars, family), config or VerdictConfig(seed=seed))


def planted_family(seed: int, phi: float = 0.2, n_bars: int = 6000, n_controls: int = 10,
                   config: VerdictConfig | None = None) -> list[Assessment]:
    """Assess the momentum family (group "momentum") plus random MA crossovers on AR(1) returns with coefficient phi."""
    bars = synthetic_bars(n_bars, np.random.SeedSequence([seed, 2]), phi=phi)
    close = bars["close"].to_numpy()
    family: Family = [(f"mom_{k}", "momentum", momentum(close, k)) for k in MOMENTUM_LOOKBACKS]
    family += random_variants(close, 1, n_controls, np.random.SeedSequence([seed, 3]))
    return assess(backtest_family(bars, family), config or VerdictConfig(seed=seed))


def edges(assessments: Sequence[Assessment], group: str | None = None) -> int:
    """Count the candidates called "edge" (in one group, if given)."""
    return sum(a.label == EDGE and (group is None or a.group == group) for a in assessments)
