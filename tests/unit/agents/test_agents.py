"""Rule agents: hand-known positions, factory validation, and decisions that never read the future."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import kinetra.agents as agents
from kinetra.errors import AgentParamError, KinetraError, UnknownAgentError
from tests.unit.features.bars import random_bars

NAN = math.nan


def ohlc(close: list[float], open_: list[float] | None = None, tick_volume: list[float] | None = None,
         wick: float = 0.5) -> pd.DataFrame:
    """Bars from closes (open = close unless given, high/low = close +- wick)."""
    c = np.array(close, dtype=float)
    frame = pd.DataFrame({"open": open_ if open_ is not None else c, "high": c + wick, "low": c - wick, "close": c},
                         index=pd.date_range("2024-01-01", periods=len(c), freq="h", tz="UTC"))
    if tick_volume is not None:
        frame["tick_volume"] = tick_volume
    return frame


def features(bars: pd.DataFrame, **columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=bars.index, dtype=float)


CROSS = [10, 11, 12, 13, 12, 11, 10, 11, 12]

CASES = [
    ("sma_crossover", {"fast": 2, "slow": 3}, ohlc(CROSS), None, [0, 0, 1, 1, 1, -1, -1, -1, 1]),
    ("sma_crossover", {"fast": 2, "slow": 3, "allow_short": False}, ohlc(CROSS), None, [0, 0, 1, 1, 1, 0, 0, 0, 1]),
    ("energy_momentum", {"lookback": 1}, ohlc([1, 2, 3, 2, 1]),
     {"kinetic_energy_rank": [NAN, 0.9, 0.5, 0.9, 0.8]}, [0, 1, 0, -1, -1]),
    ("damping_reversion", {"lookback": 1}, ohlc([1, 2, 3, 2, 1]),
     {"damping_regime": [0, 0, 1, 0, 2]}, [0, -1, 0, 1, 0]),
    ("entropy_breakout", {"channel": 2}, ohlc([10, 10, 10, 11, 10.6, 10.2, 9.7, 9.0]),
     {"entropy_rank": [0.1] * 8}, [0, 0, 0, 1, 1, 0, 0, -1]),
    ("entropy_breakout", {"channel": 2}, ohlc([10, 10, 10, 11, 10.6, 10.2, 9.7, 9.0]),
     {"entropy_rank": [0.9] * 8}, [0] * 8),
    ("berserker", {"window": 3, "multiplier": 2.0, "hold": 2},
     ohlc([10.1, 9.9, 10.1, 11.0, 10.1, 9.9, 10.1, 10.1], [10.0] * 8, [100] * 3 + [200] + [100] * 4), None,
     [0, 0, 0, 1, 1, 0, 0, 0]),
    ("berserker", {"window": 3, "multiplier": 2.0, "hold": 2},
     ohlc([10.1, 9.9, 10.1, 11.0, 10.1, 9.9, 10.1, 10.1], [10.0] * 8, [100] * 3 + [50] + [100] * 4), None,
     [0] * 8),
    ("berserker", {"window": 3, "multiplier": 2.0, "hold": 3},
     ohlc([10.1, 9.9, 10.1, 9.0, 10.1, 9.9, 10.1, 10.1], [10.0] * 8), None, [0, 0, 0, -1, -1, -1, 0, 0]),
]


@pytest.mark.parametrize(("name", "params", "bars", "feats", "expected"), CASES)
def test_rule_agents_take_the_hand_computed_positions(name, params, bars, feats, expected) -> None:
    agent = agents.create(name, **params)
    got = agent.positions(bars, features(bars, **feats) if feats else None)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.array(expected, dtype=float))


@pytest.mark.parametrize(("name", "params", "error", "match"), [
    ("martingale", {}, UnknownAgentError, "unknown agent 'martingale'"),
    ("sma_crossover", {"fast": 30, "slow": 20}, AgentParamError, "fast \\(30\\) must be below slow \\(20\\)"),
    ("sma_crossover", {"fast": 2.5}, AgentParamError, "sma_crossover: fast must be int"),
    ("sma_crossover", {"allow_short": 1}, AgentParamError, "allow_short must be bool"),
    ("sma_crossover", {"speed": 1}, AgentParamError, "has no parameter 'speed'"),
    ("energy_momentum", {"threshold": 1.5}, AgentParamError, "threshold must be in \\[0, 1\\]"),
    ("berserker", {"hold": 0}, AgentParamError, "berserker: hold must be in \\[1, inf\\]"),
    ("damping_reversion", {"band": float("nan")}, AgentParamError, "band must be in"),
])
def test_factory_rejects_unknown_names_and_bad_params_in_one_line(name, params, error, match) -> None:
    with pytest.raises(error, match=match) as info:
        agents.create(name, **params)
    assert isinstance(info.value, KinetraError) and "\n" not in str(info.value)


def test_list_agents_describes_every_agent_with_its_defaults() -> None:
    listed = {info.name: info for info in agents.list_agents()}
    assert set(listed) == {"sma_crossover", "energy_momentum", "damping_reversion", "entropy_breakout", "berserker"}
    for name, info in listed.items():
        agent = agents.create(name)
        assert isinstance(agent, agents.Agent) and agent.name == name
        assert agent.params == info.params and set(info.param_docs) == set(info.params)
        assert len(info.description) > 80 and "\n" not in info.description
    assert listed["sma_crossover"].params == {"fast": 10, "slow": 30, "allow_short": True}


def test_params_are_coerced_and_fit_is_a_no_op() -> None:
    agent = agents.create("energy_momentum", threshold=1)
    assert agent.params["threshold"] == 1.0 and isinstance(agent.params["threshold"], float)
    bars = random_bars(50)
    before = agent.positions(bars)
    agent.fit(bars)
    np.testing.assert_array_equal(agent.positions(bars), before)


@pytest.mark.parametrize("name", [info.name for info in agents.list_agents()])
@pytest.mark.parametrize("cut", [60, 250])
def test_a_decision_at_bar_t_never_depends_on_later_bars(name: str, cut: int) -> None:
    params = {"multiplier": 1.5} if name == "berserker" else {"threshold": 0.5} if name == "entropy_breakout" else {}
    agent = agents.create(name, **params)
    bars = random_bars(400, seed=11)
    future = bars.copy()
    rng = np.random.default_rng(cut)
    rest = len(bars) - cut - 1
    for col in ("open", "high", "low", "close"):
        future.iloc[cut + 1:, future.columns.get_loc(col)] *= rng.uniform(0.9, 1.1, rest)
    future.iloc[cut + 1:, future.columns.get_loc("tick_volume")] = rng.integers(1, 5000, rest)
    before, after = agent.positions(bars), agent.positions(future)
    np.testing.assert_array_equal(before[:cut + 1], after[:cut + 1])
    assert before.shape == (400,) and np.all(np.abs(before) <= 1.0)
    assert np.any(before != 0.0), "the agent should trade on 400 random-walk bars"
