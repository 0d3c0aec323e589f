"""The quick backtest: one agent on one stored series is the agent's positions through the engine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kinetra.agents import create
from kinetra.backtest import run, spec_for
from kinetra.backtest.agent_backtest import backtest_agent
from kinetra.data.ingest import import_files
from kinetra.errors import AgentParamError, UnknownSeriesError
from kinetra.store import Store
from tests.support.mt5 import make_bars, write_mt5


def test_backtest_agent_equals_the_agents_positions_through_the_engine(tmp_path: Path, store: Store) -> None:
    raw = make_bars(300, start="2024-01-02 00:00")
    import_files([write_mt5(tmp_path / "EURUSD_H1.csv", raw)], store)
    bars = raw.set_index(pd.DatetimeIndex(raw["time"], tz="UTC")).drop(columns="time")
    info, params, result = backtest_agent(store, "sma_crossover", {"fast": 5, "slow": 20}, "eurusd", "H1",
                                          costs=False)
    agent = create("sma_crossover", fast=5, slow=20)
    expected = run(bars, agent.positions(bars), spec=spec_for("EURUSD", "forex"), costs=False)
    assert info.symbol == "EURUSD" and params == agent.params
    assert result.metrics["final_equity"] == pytest.approx(expected.metrics["final_equity"], rel=1e-12)
    assert len(result.trades) == len(expected.trades) > 0


def test_a_bad_parameter_is_refused_before_the_series_is_looked_up(store: Store) -> None:
    with pytest.raises(AgentParamError, match="fast"):
        backtest_agent(store, "sma_crossover", {"fast": "x"}, "NOPE", "H1")
    with pytest.raises(UnknownSeriesError):
        backtest_agent(store, "sma_crossover", {}, "NOPE", "H1")
