"""Runs as real processes: detached start, progress, cancel, death detection, inline mode."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from kinetra import runs
from kinetra.errors import KinetraError, UnknownRunError
from kinetra.runs import records
from kinetra.store import Store


def _wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_detached_run_executes_in_its_own_session_and_records_its_result(store: Store) -> None:
    run_id = runs.start(store, "count", {"steps": 5, "delay": 0.05}, seed=11)
    rec = runs.wait(store, run_id, timeout=30)
    assert rec.status == "succeeded", rec.error
    assert rec.result == {"counted": 5} and rec.progress == 1.0 and rec.seed == 11
    assert rec.pid != os.getpid()
    assert rec.config_snapshot["settings"]["profile"] == "research"
    assert [e["message"] for e in runs.events(store, run_id)] == ["counted"]


def test_progress_is_visible_while_a_run_works(store: Store) -> None:
    run_id = runs.start(store, "count", {"steps": 40, "delay": 0.1})
    rec = _wait_for(lambda: (r := runs.get(store, run_id)).progress > 0 and r)
    assert rec.status == "running" and rec.message.startswith("step ")
    assert psutil.Process(rec.pid).pid == rec.pid
    assert os.getsid(rec.pid) == rec.pid, "worker must lead its own session to survive its parent"
    runs.cancel(store, run_id)
    assert runs.wait(store, run_id, timeout=30).status == "cancelled"


def test_cancel_stops_a_running_run_which_ends_cancelled(store: Store) -> None:
    run_id = runs.start(store, "count", {"steps": 600, "delay": 0.05})
    _wait_for(lambda: runs.get(store, run_id).status == "running")
    runs.cancel(store, run_id)
    rec = runs.wait(store, run_id, timeout=30)
    assert rec.status == "cancelled" and rec.progress < 1.0 and rec.cancel_requested


def test_a_cancel_flag_alone_is_honoured_at_the_next_check(store: Store) -> None:
    run_id = runs.start(store, "count", {"steps": 600, "delay": 0.05})
    _wait_for(lambda: runs.get(store, run_id).status == "running")
    records.update(store, run_id, cancel_requested=True)
    assert runs.wait(store, run_id, timeout=30).status == "cancelled"


def test_a_killed_run_is_detected_as_failed_never_left_running(store: Store) -> None:
    run_id = runs.start(store, "count", {"steps": 600, "delay": 0.05})
    rec = _wait_for(lambda: (r := runs.get(store, run_id)).status == "running" and r)
    os.kill(rec.pid, signal.SIGKILL)
    rec = _wait_for(lambda: (r := runs.get(store, run_id)).status != "running" and r)
    assert rec.status == "failed" and "died" in rec.error


def test_a_run_killed_inside_its_transaction_leaves_nothing_and_frees_the_store(
        store: Store, tmp_path) -> None:
    marker = tmp_path / "inside"
    run_id = runs.start(store, "stuck", {"hang": 60, "marker": str(marker)})
    _wait_for(marker.exists, timeout=30)
    os.kill(_pid_of_worker(run_id), signal.SIGKILL)
    rec = _wait_for(lambda: (r := runs.get(store, run_id)).status != "running" and r)
    assert rec.status == "failed"
    with store.session() as con:
        assert con.execute("SELECT count(*) FROM bars WHERE series_id = 999").fetchall()[0][0] == 0


def _pid_of_worker(run_id: str) -> int:
    """Find the worker by its command line: the store is locked by it, so the run row can't be read."""
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.info["cmdline"] and proc.info["cmdline"][-1] == run_id and "kinetra.runs.worker" in proc.info["cmdline"]:
            return proc.info["pid"]
    raise AssertionError("worker process not found")


def test_a_task_bug_fails_the_run_with_the_error_named(store: Store) -> None:
    run_id = runs.start(store, "failing", {})
    rec = runs.wait(store, run_id, timeout=30)
    assert rec.status == "failed" and rec.error == "internal error: ZeroDivisionError: boom"


def test_inline_runs_are_recorded_and_report_progress(store: Store) -> None:
    seen: list[float] = []
    rec = runs.run_inline(store, "count", {"steps": 3, "delay": 0}, on_progress=lambda f, m: seen.append(f))
    assert rec.status == "succeeded" and rec.pid == os.getpid()
    assert seen == [0.0, 1 / 3, 2 / 3]
    assert [r.id for r in runs.list_runs(store)] == [rec.id]


def test_unknown_run_and_kind_are_clear_errors(store: Store) -> None:
    with pytest.raises(UnknownRunError, match="no run with id 'nope'"):
        runs.get(store, "nope")
    with pytest.raises(KinetraError, match="unknown run kind 'teleport'"):
        runs.create(store, "teleport", {})


def test_a_queued_run_whose_worker_never_started_is_failed_after_the_stale_window(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINETRA_RUNS__STALE_AFTER_SECONDS", "0.5")
    run_id = runs.create(store, "count", {})
    time.sleep(0.7)
    assert runs.get(store, run_id).status == "failed"
    assert runs.get(store, run_id).error == "worker never started"
