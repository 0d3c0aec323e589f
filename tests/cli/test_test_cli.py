"""`kinetra test` as a user runs it: suites, a run, results as JSON/CSV/tables, compare, one-line errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kinetra import runs
from kinetra.runs import records
from kinetra.store import Store
from tests.support.cli import kinetra, kinetra_json
from tests.support.research import store_synthetic

SUITE = """\
name: tiny
agents: [{name: sma_crossover, params: {fast: [2, 5], slow: 20}}]
series: {timeframes: [H1]}
validation: {scheme: walk_forward, folds: 2}
monte_carlo: {count: 100, method: trade_bootstrap}
seed: 5
"""


@pytest.fixture
def tiny(tmp_path: Path, store: Store) -> Path:
    store_synthetic(store, "WALK", 2000, seed=4)
    path = tmp_path / "tiny.yaml"
    path.write_text(SUITE)
    return path


def test_suites_lists_the_presets() -> None:
    names = {s["name"]: s for s in kinetra_json("test", "suites")}
    assert {"quick", "walk_forward", "monte_carlo", "compare_agents"} <= set(names)
    assert names["quick"]["candidates"] == 5 and names["compare_agents"]["scheme"] == "cpcv"


def test_run_then_read_the_results_every_way(tiny: Path) -> None:
    out = kinetra_json("test", "run", str(tiny), "--workers", "2")
    run_id = out["run_id"]
    assert out["suite"] == "tiny" and out["candidates"] == 3 and out["jobs"] == 4 and out["edges"] == []
    assert Path(out["report"]).is_file()
    rows = kinetra_json("test", "results", run_id)
    assert [r["candidate"] for r in rows] == ["sma_crossover(fast=2, slow=20) @ WALK H1",
                                             "sma_crossover(fast=5, slow=20) @ WALK H1",
                                             "sma_crossover [walk-forward selected] @ WALK H1"]
    assert all(r["mc_method"] == "trade_bootstrap" and r["verdict"] == "no edge" for r in rows)
    text = kinetra("test", "results", run_id, "--csv").stdout
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 3 and float(table[0]["sharpe"]) == pytest.approx(rows[0]["sharpe"])
    assert table[0]["reasons"] == "; ".join(rows[0]["reasons"])
    people = kinetra("test", "results", run_id)
    assert people.returncode == 0 and "0 of 3 candidates show an edge" in people.stdout


def test_compare_matches_candidates_by_name(tiny: Path, tmp_path: Path) -> None:
    first = kinetra_json("test", "run", str(tiny))["run_id"]
    other = tmp_path / "other.yaml"
    other.write_text(SUITE.replace("fast: [2, 5]", "fast: [5, 8]"))
    second = kinetra_json("test", "run", str(other))["run_id"]
    rows = {r["candidate"]: r for r in kinetra_json("test", "compare", first, second)}
    both = rows["sma_crossover(fast=5, slow=20) @ WALK H1"]
    assert both["sharpe_a"] == pytest.approx(both["sharpe_b"]) and not both["changed"]
    assert rows["sma_crossover(fast=2, slow=20) @ WALK H1"]["sharpe_b"] is None
    assert rows["sma_crossover(fast=8, slow=20) @ WALK H1"]["verdict_a"] is None


def test_bad_input_is_one_line_with_its_exit_code(tiny: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents: [{name: sma_crossover, params: {fast: -1}}]\n")
    cases = [(("test", "run", "nope"), 4, "no suite 'nope'"),
             (("test", "run", str(bad)), 2, "bad.yaml: agents: agent sma_crossover: fast must be in"),
             (("test", "results", "nope"), 4, "no run with id 'nope'"),
             (("test", "results", "x", "--json", "--csv"), 2, "not both")]
    for args, code, words in cases:
        out = kinetra(*args)
        assert out.returncode == code and words in out.stderr and out.stderr.count("\n") == 1, out.stderr
        assert "Traceback" not in out.stderr


def test_resume_puts_a_cancelled_run_back_in_the_queue(tiny: Path, store: Store) -> None:
    from kinetra.research.suite import load_suite

    suite = load_suite(str(tiny))
    run_id = runs.create(store, "test", {"suite": suite.to_json()}, seed=suite.seed)
    records.finish(store, run_id, "cancelled", error="cancelled on request")
    out = kinetra_json("test", "resume", run_id)
    assert out == {"run_id": run_id, "status": "queued"}
    rec = runs.wait(store, run_id, timeout=120)
    assert rec.status == "succeeded" and rec.result["candidates"] == 3
    again = kinetra("test", "resume", run_id)
    assert again.returncode == 1 and "only a cancelled or failed run can be resumed" in again.stderr
