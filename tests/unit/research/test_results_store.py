"""Candidates stored and read back: the equity keeps its UTC times whatever the bars' time unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinetra.research.evaluate import Evaluation
from kinetra.research.outcomes import Outcome
from kinetra.research.results import candidate_detail, save_candidates
from kinetra.runs import records
from kinetra.store import Store

STATS = {"metrics": {"sharpe": 0.5, "total_return": 0.1, "profit_factor": 1.2, "max_drawdown": 0.05, "trades": 0,
                     "win_rate": 0.5},
         "intervals": {"sharpe": [0.5, 0.1, 0.9], "total_return": [0.1, 0.0, 0.2], "profit_factor": [1.2, 1.0, 1.4]},
         "p_value": 0.01, "q_value": 0.02, "dsr": 0.97, "pbo": 0.1, "verdict": "edge", "reasons": [],
         "mc_method": "block_bootstrap"}


def test_equity_times_survive_a_round_trip_from_microsecond_bars(store: Store) -> None:
    run_id = records.insert(store, "test", {}, {}, 0)
    index = pd.date_range("2025-01-06 00:00", periods=4, freq="h", tz="UTC").as_unit("us")  # as DuckDB gives bars
    outcome = Outcome("a @ EURUSD H1", "config", "a", {}, 1, "EURUSD H1", "a@EURUSD H1", index, np.zeros(4),
                      pd.DataFrame(), None, np.zeros(4))  # type: ignore[arg-type]
    equity = pd.Series([1e4, 1.01e4, 1.02e4, 1.0e4], index=index)
    save_candidates(store, run_id, [Evaluation(outcome, STATS, equity, np.arange(10.0))])
    detail = candidate_detail(store, run_id, "a @ EURUSD H1")
    assert list(detail["equity"].index) == list(index)
    assert detail["equity"].tolist() == equity.tolist() and detail["row"]["verdict"] == "edge"
