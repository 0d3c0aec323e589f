"""Backtest one agent on one stored series: the quick backtest behind `kinetra backtest AGENT` and the TUI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kinetra.backtest.runner import BacktestResult, run
from kinetra.backtest.signals import load_series


def backtest_agent(store: Any, agent: str, params: dict[str, Any], symbol: str, timeframe: str,
                   broker: str | None = None, start: datetime | None = None, end: datetime | None = None,
                   costs: bool = True, fill: str = "next_open") -> tuple[Any, dict[str, Any], BacktestResult]:
    """Return (series info, the agent's params with defaults, result) of one agent on one series' bars.

    The agent is built (params validated) before any bars are read, so a bad parameter costs no I/O.
    """
    from kinetra.agents import create

    built = create(agent, **params)
    info, bars, spec = load_series(store, symbol, timeframe, broker, start, end)
    built.fit(bars)
    return info, built.params, run(bars, built.positions(bars), spec=spec, costs=costs, fill=fill)
