"""Running suites end to end on stores with known statistics: verdicts, storage, reproducibility, resume."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from kinetra import runs
from kinetra.errors import ResearchInputError, RunCancelled
from kinetra.research import results
from kinetra.research.suite_run import execute_jobs, load_markets, plan
from kinetra.runs import records
from kinetra.store import Store
from tests.support.research import small_suite, store_synthetic


def _run(store: Store, suite: Any, workers: int = 1) -> runs.RunRecord:
    """Run a suite in this process (one worker: no pool) or across a pool of `workers` processes."""
    rec = runs.run_inline(store, "test", {"suite": suite.to_json(), "workers": workers}, seed=suite.seed)
    assert rec.status == "succeeded", rec.error
    return rec


@pytest.fixture
def walks(store: Store) -> Store:
    """Two random-walk H1 series (no edge to find) of 3,000 bars."""
    store_synthetic(store, "WALKA", 3000, seed=1)
    store_synthetic(store, "WALKB", 3000, seed=2)
    return store


def test_a_run_stores_every_job_and_candidate_with_its_evidence(walks: Store, monkeypatch) -> None:
    monkeypatch.setattr("kinetra.research.suite_run.POOL_MIN_SECONDS", 0.0)  # the pool, however small the work
    suite = small_suite()
    rec = _run(walks, suite, workers=2)
    with walks.session() as con:
        jobs = con.execute("SELECT count(*) FROM test_jobs WHERE run_id = ?", [rec.id]).fetchall()[0][0]
    assert jobs == 2 * 2 * 3  # configurations x series x folds
    assert "2 work items on 2 worker processes" in [e["message"] for e in runs.events(walks, rec.id)]
    rows = results.candidate_rows(walks, rec.id)
    names = [r["candidate"] for r in rows]
    assert names == ["sma_crossover(fast=2, slow=20) @ WALKA H1", "sma_crossover(fast=5, slow=20) @ WALKA H1",
                     "sma_crossover [walk-forward selected] @ WALKA H1", "sma_crossover(fast=2, slow=20) @ WALKB H1",
                     "sma_crossover(fast=5, slow=20) @ WALKB H1", "sma_crossover [walk-forward selected] @ WALKB H1"]
    for r in rows:
        assert r["verdict"] == "no edge" and r["reasons"]  # random walks: nothing survives
        assert 0 < r["p_value"] <= 1 and r["q_value"] >= r["p_value"]
        assert r["sharpe_low"] <= r["sharpe"] <= r["sharpe_high"]
        assert r["pbo"] is not None  # two configurations per group: PBO defined, the selection carries it
    selected = rows[2]
    assert len(selected["choices"]) == 3 and set(selected["choices"]) <= {"sma_crossover(fast=2, slow=20)",
                                                                           "sma_crossover(fast=5, slow=20)"}
    detail = results.candidate_detail(walks, rec.id, rows[0]["candidate"])
    # out of sample = the three test windows end to end: the last 3 of 4 equal blocks of 3,000 bars
    assert len(detail["equity"]) == 3000 - 750 and len(detail["mc"]) == 200
    assert detail["row"]["trades"] == len(detail["trades"]) > 0
    assert rec.result["candidates"] == 6 and rec.result["jobs"] == 12
    assert rec.data_fingerprint == rec.result["data_fingerprint"] and len(rec.data_fingerprint) == 16


def test_the_report_has_the_verdict_table_and_charts(walks: Store) -> None:
    rec = _run(walks, small_suite())
    report = rec.result["report"]
    text = open(report, encoding="utf-8").read()
    assert "0 of 6 candidates show an edge" in text and text.count("| sma_crossover") == 6
    charts = [line.split("(")[-1].rstrip(")") for line in text.splitlines() if line.startswith("![")]
    assert len(charts) == 2 * 4  # equity and Monte Carlo of the first four
    folder = report.rsplit("/", 1)[0]
    for name in charts:
        assert open(f"{folder}/{name}", "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_planted_edge_is_found_and_survives_the_correction(store: Store) -> None:
    """Lag-1 autocorrelated returns: a 1-vs-2-bar crossover (lag-1 momentum) has a real edge; slow ones do not."""
    store_synthetic(store, "TREND", 6000, seed=11, phi=0.25)
    suite = small_suite(agents=[{"name": "sma_crossover", "params": {"fast": 1, "slow": [2, 150]}}],
                        monte_carlo={"count": 300})
    rows = {r["candidate"]: r for r in results.candidate_rows(store, _run(store, suite).id)}
    assert rows["sma_crossover(fast=1, slow=2) @ TREND H1"]["verdict"] == "edge"
    assert rows["sma_crossover(fast=1, slow=150) @ TREND H1"]["verdict"] == "no edge"


def test_the_same_suite_on_the_same_bars_reproduces_every_number(walks: Store, monkeypatch) -> None:
    monkeypatch.setattr("kinetra.research.suite_run.POOL_MIN_SECONDS", 0.0)
    suite = small_suite(validation={"scheme": "cpcv", "groups": 4, "test_groups": 2, "embargo": 10},
                        monte_carlo={"count": 100, "method": "random_entry"})
    first, second = _run(walks, suite), _run(walks, suite, workers=2)  # in-process and pooled agree
    assert first.result["data_fingerprint"] == second.result["data_fingerprint"]
    a, b = results.candidate_rows(walks, first.id), results.candidate_rows(walks, second.id)
    assert json.dumps(a) == json.dumps(b)
    detail = results.candidate_detail(walks, first.id, a[0]["candidate"])
    assert len(detail["stats"]["cpcv_path_sharpes"]) == 3  # C(3, 1) paths of 4 groups, 2 tested
    assert detail["stats"]["mc_statistic"] == "null_sharpe"


class _StopAfter:
    """A run context that asks to cancel once `limit` jobs were stored."""

    def __init__(self, store: Store, run_id: str, limit: int) -> None:
        self.store, self.run_id, self.limit = store, run_id, limit

    def progress(self, fraction: float, message: str = "") -> None:
        records.set_progress(self.store, self.run_id, fraction, message)

    def event(self, message: str, level: str = "info") -> None:
        records.add_event(self.store, self.run_id, message, level)

    def check_cancel(self) -> None:
        if len(results.finished_jobs(self.store, self.run_id)) >= self.limit:
            raise RunCancelled("cancelled on request")


def test_a_cancelled_run_keeps_its_jobs_and_resuming_runs_only_the_rest(walks: Store, monkeypatch) -> None:
    suite = small_suite()
    reference = results.candidate_rows(walks, _run(walks, suite).id)
    run_id = runs.create(walks, "test", {"suite": suite.to_json(), "workers": 1}, seed=suite.seed)
    markets = load_markets(walks, suite)
    monkeypatch.setattr("kinetra.research.suite_run.FLUSH_SECONDS", 0.0)
    with pytest.raises(RunCancelled, match="resume to finish the rest"):
        execute_jobs(_StopAfter(walks, run_id, 3), suite, markets, workers=1)
    kept = results.finished_jobs(walks, run_id)
    assert 3 <= len(kept) < 12
    items, total = plan(suite, markets, kept)
    assert total == 12 and sum(len(i.folds) for i in items) == 12 - len(kept)
    records.finish(walks, run_id, "cancelled", error="cancelled on request")
    records.update(walks, run_id, status="queued", ended_at=None, error=None)  # what runs.resume does, inline
    runs.execute(walks, run_id, reraise=True)
    rec = runs.get(walks, run_id)
    assert rec.status == "succeeded" and rec.result["jobs_run"] == 12 - len(kept)
    assert any("resuming" in e["message"] for e in runs.events(walks, run_id))
    assert results.candidate_rows(walks, run_id) == reference


def test_resuming_on_changed_bars_is_refused(walks: Store) -> None:
    suite = small_suite()
    rec = _run(walks, suite)
    store_synthetic(walks, "WALKC", 3000, seed=3)  # the selection now picks a third series
    records.update(walks, rec.id, status="queued", ended_at=None)
    with pytest.raises(ResearchInputError, match="bars changed since this run started"):
        runs.execute(walks, rec.id, reraise=True)


def test_resume_refuses_finished_and_other_kinds(walks: Store) -> None:
    rec = _run(walks, small_suite())
    with pytest.raises(Exception, match="only a cancelled or failed run can be resumed"):
        runs.resume(walks, rec.id)
    other = runs.create(walks, "count", {"n": 1})
    records.finish(walks, other, "failed", error="x")
    with pytest.raises(Exception, match="cannot be resumed"):
        runs.resume(walks, other)


def test_a_selection_with_no_series_names_its_filters(walks: Store) -> None:
    suite = small_suite(series={"symbols": ["NOPE"], "timeframes": ["H4"]})
    with pytest.raises(ResearchInputError, match="symbols=NOPE; timeframes=H4"):
        load_markets(walks, suite)


def test_trade_bootstrap_draws_total_returns_of_resampled_trades(walks: Store) -> None:
    suite = small_suite(monte_carlo={"count": 150, "method": "trade_bootstrap"})
    rec = _run(walks, suite)
    row = results.candidate_rows(walks, rec.id)[0]
    detail = results.candidate_detail(walks, rec.id, row["candidate"])
    assert detail["stats"]["mc_method"] == "trade_bootstrap" and len(detail["mc"]) == 150
    assert np.isfinite(detail["mc"]).all() and detail["mc"].std() > 0
