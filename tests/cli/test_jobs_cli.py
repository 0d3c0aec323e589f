"""The jobs daemon as a real process in a temp KINETRA_HOME, and `kinetra jobs` as a person uses it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kinetra import runs
from kinetra.jobs.launch import history
from kinetra.jobs.scheduler import fire_now
from kinetra.store import Store
from tests.cli.test_download_cli import fake  # noqa: F401 - the fake MetaAPI fixture
from tests.support.cli import kinetra, kinetra_json

pytestmark = pytest.mark.slow


def jobs_file(home: Path, *entries: str) -> None:
    (home / "jobs.yaml").write_text("jobs:\n" + "".join(f"  - {e}\n" for e in entries))


def start_daemon() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kinetra.jobs.daemon"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return value


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the daemon did not stop on SIGTERM:\n{out}\n{err}") from None
    assert proc.returncode == 0, f"{out}\n{err}"
    return proc.returncode


def test_a_job_runs_on_schedule_pause_survives_a_restart_and_a_second_daemon_is_refused(
        kinetra_home: Path, store: Store) -> None:
    kinetra("demo")
    jobs_file(kinetra_home, "{name: scan, kind: health, interval: 2s, enabled: true}")
    daemon = start_daemon()
    try:
        wait_for(lambda: len([h for h in history(store, "scan") if h["status"] == "succeeded"]) >= 2, what="2 runs")
        second = kinetra("jobs", "serve")
        assert second.returncode == 1 and "already runs" in second.stderr
        listed = kinetra_json("jobs", "list")
        assert listed["daemon"]["alive"] and listed["daemon"]["pid"] == daemon.pid
        assert kinetra("jobs", "pause", "scan").returncode == 0
    finally:
        assert stop(daemon) == 0
    assert not kinetra_json("jobs", "list")["daemon"]["alive"]
    done = len(history(store, "scan"))
    daemon = start_daemon()
    try:
        wait_for(lambda: kinetra_json("jobs", "list")["daemon"]["alive"], what="the daemon")
        time.sleep(5)  # two intervals and a heartbeat: a paused job must not run
        assert len(history(store, "scan")) == done
        scan = next(j for j in kinetra_json("jobs", "list")["jobs"] if j["name"] == "scan")
        assert scan["paused"] and scan["next_run"] is None and scan["schedule"] == "every 2 seconds"
        assert kinetra("jobs", "resume", "scan").returncode == 0
        wait_for(lambda: len(history(store, "scan")) > done, what="a run after resume")
    finally:
        assert stop(daemon) == 0


def test_sigterm_mid_job_exits_cleanly_and_the_run_ends_cancelled(
        fake, kinetra_home: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    write, _ = fake
    write(page_delay=2.0)  # 7 pages: ~14 s of download, far longer than it takes to see it start
    monkeypatch.setenv("KINETRA_UNIVERSE__SOURCE", "metaapi")
    monkeypatch.setenv("KINETRA_UNIVERSE__SYMBOLS", json.dumps({"forex": ["EURUSD"]}))
    monkeypatch.setenv("KINETRA_UNIVERSE__TIMEFRAMES", '["H1"]')
    monkeypatch.setenv("KINETRA_UNIVERSE__HISTORY_DAYS", "900")
    jobs_file(kinetra_home, "{name: refresh, interval: 1h, enabled: true, misfire_grace_seconds: 60}")
    daemon = start_daemon()
    try:
        assert kinetra("jobs", "list").returncode == 0
        wait_for(lambda: kinetra_json("jobs", "list")["daemon"]["alive"], what="the daemon")
        fire_now(store, "refresh")  # due now: the daemon starts it within a heartbeat
        running = wait_for(lambda: [h for h in history(store, "refresh") if h["run_id"]], what="the job's run")
        run_id = running[0]["run_id"]
        wait_for(lambda: runs.get(store, run_id).progress > 0, what="progress")
    finally:
        assert stop(daemon) == 0
    rec = wait_for(lambda: (r := kinetra_json("runs", "show", run_id))["status"] not in ("queued", "running") and r,
                   what="the run's end")
    assert rec["status"] == "cancelled"
    assert history(store, "refresh")[0]["status"] == "cancelled"


def test_a_failing_job_records_its_error_and_retries_per_policy(kinetra_home: Path, store: Store) -> None:
    kinetra("demo")
    jobs_file(kinetra_home, "{name: strict, kind: health, interval: 1d, enabled: true, args: {fail_under: 100},"
                            " retry: {max_retries: 1, delay_seconds: 0}}")
    out = kinetra("jobs", "run", "strict")
    assert out.returncode == 1 and "series under 100" in out.stderr
    tries = history(store, "strict")
    assert [(h["attempt"], h["status"]) for h in tries] == [(2, "failed"), (1, "failed")]
    assert all(h["run_id"] and "GBPUSD" in h["error"] for h in tries)


def test_backup_is_a_job_and_restore_refuses_a_damaged_one(kinetra_home: Path) -> None:
    kinetra("demo")
    jobs_file(kinetra_home, "{name: backup, enabled: true, args: {keep: 2}}")
    assert kinetra("jobs", "run", "backup").returncode == 0
    made = sorted((kinetra_home / "backups").iterdir())
    assert len(made) == 1 and (made[0] / "manifest.json").exists()
    (made[0] / "series.parquet").write_bytes(b"not parquet")
    before = kinetra_json("data", "list")
    out = kinetra("data", "restore", str(made[0]))
    assert out.returncode == 3 and "series.parquet is damaged" in out.stderr and out.stderr.count("\n") == 1
    assert kinetra_json("data", "list") == before


def test_a_test_suite_is_a_job_whose_history_names_its_verdicts(kinetra_home: Path, store: Store) -> None:
    kinetra("demo")
    (kinetra_home / "suites").mkdir()
    (kinetra_home / "suites" / "nightly.yaml").write_text(
        "agents: [{name: sma_crossover}]\nseries: {symbols: [EURUSD], timeframes: [H4]}\n"
        "validation: {scheme: walk_forward, folds: 2}\nmonte_carlo: {count: 50}\n")
    jobs_file(kinetra_home, "{name: research, enabled: true, args: {suite: nightly}}")
    out = kinetra("jobs", "run", "research")
    assert out.returncode == 0, out.stderr
    entry = history(store, "research")[0]
    assert entry["status"] == "succeeded" and entry["summary"].startswith("suite nightly: 0 of 1 candidates")
    run = kinetra_json("runs", "show", entry["run_id"])
    assert run["kind"] == "test" and run["params"]["suite"]["name"] == "nightly" and run["seed"] == 0
