"""Executing a job: every execution launches a run (progress, cancel from anywhere) and leaves history.

The same function serves the daemon (on schedule) and `kinetra jobs run NAME` (for cron users):
it starts the run detached, waits for its end, judges it (a health scan under its fail-under
score fails the job), records start, end, status, run id, summary and error, and retries per
the job's policy.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from kinetra import runs
from kinetra.config import Settings, load_settings
from kinetra.errors import KinetraError
from kinetra.jobs.schedules import JobSpec, load_jobs
from kinetra.runs.records import now

#: Set when the daemon shuts down: waiting executions cancel their runs and stop retrying.
STOP = threading.Event()
_ACTIVE: dict[str, str] = {}
_ACTIVE_LOCK = threading.Lock()


def active_runs() -> dict[str, str]:
    """Job name -> run id of the executions under way in this process."""
    with _ACTIVE_LOCK:
        return dict(_ACTIVE)


def run_request(job: JobSpec, settings: Settings) -> tuple[str, dict[str, Any]]:
    """The run kind and params one execution of a job starts."""
    if job.kind == "refresh":
        from kinetra.data.download import plan_request

        return "download", plan_request(settings).to_params()
    if job.kind == "health":
        return "health", {"symbol": job.args.get("symbol"), "timeframe": job.args.get("timeframe")}
    if job.kind == "fill":
        return "fill", {"symbol": job.args.get("symbol"), "timeframe": job.args.get("timeframe")}
    if job.kind == "test":
        from kinetra.research.suite import load_suite

        return "test", {"suite": load_suite(job.args["suite"]).to_json()}
    return "backup", {"dest": job.args.get("dest"), "keep": job.args.get("keep")}


def judge(job: JobSpec, rec: runs.RunRecord) -> tuple[str, str | None, str | None]:
    """(status, summary, error) of one execution from its finished run."""
    if rec.status not in runs.FINISHED:  # the daemon stopped and the run was still winding down
        return "cancelled", None, "the daemon stopped; the run was cancelled"
    if rec.status != "succeeded":
        return rec.status, None, rec.error or rec.status
    result = rec.result or {}
    if job.kind == "refresh":
        t = result["totals"]
        failed = [f"{s['symbol']} {s['timeframe']}" for s in result["series"] if s["status"] == "failed"]
        summary = f"{t['added']:,} new bars in {len(result['series'])} series, {t['retries']} retries"
        return ("failed", summary, f"{len(failed)} series failed: {', '.join(failed[:5])}") if failed else \
            ("succeeded", summary, None)
    if job.kind == "health":
        worst = result.get("worst", [])
        summary = f"{result.get('series', 0)} series scanned" + (
            f", worst {worst[0]['symbol']} {worst[0]['timeframe']} {worst[0]['score']:g}" if worst else "")
        floor = job.args.get("fail_under")
        low = [w for w in worst if floor is not None and w["score"] < floor]
        if low:
            return "failed", summary, f"{len(low)} series under {floor:g}: " + ", ".join(
                f"{w['symbol']} {w['timeframe']} {w['score']:g}" for w in low)
        return "succeeded", summary, None
    if job.kind == "fill":
        t = result["totals"]
        return "succeeded", f"{t['gaps']} gaps: {t['filled_bars']:,} bars filled, {t['confirmed']} confirmed", None
    if job.kind == "test":
        edges = result.get("edges", [])
        return "succeeded", (f"suite {result.get('suite')}: {len(edges)} of {result.get('candidates', 0)} candidates"
                             f" with an edge (kinetra test results {rec.id})"), None
    return "succeeded", f"backup at {result.get('path')} ({result.get('rows', 0):,} rows)", None


def _history_start(store: Any, job: str, attempt: int, trigger: str) -> str:
    hid = uuid.uuid4().hex[:12]
    with store.session() as con:
        con.execute("INSERT INTO job_history (id, job, attempt, trigger, status, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [hid, job, attempt, trigger, "running", now()])
    return hid


def _history_set(store: Any, hid: str, **fields: Any) -> None:
    cols = ", ".join(f"{k} = ?" for k in fields)
    with store.session() as con:
        con.execute(f"UPDATE job_history SET {cols} WHERE id = ?", [*fields.values(), hid])


STOP_GRACE_SECONDS = 30.0


def _wait(store: Any, run_id: str, poll: float) -> runs.RunRecord:
    """Wait for a run's end; once the daemon stops, cancel it and wait at most STOP_GRACE_SECONDS more."""
    deadline = None
    while True:
        rec = runs.get(store, run_id)
        if rec.status in runs.FINISHED:
            return rec
        if STOP.is_set() and deadline is None:
            runs.cancel(store, run_id)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
        if deadline is not None and time.monotonic() > deadline:
            return rec  # still ending: it was cancelled and will record that itself
        time.sleep(poll)


def execute_job(store: Any, name: str, trigger: str = "manual", settings: Settings | None = None,
                poll: float = 0.5, on_run: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run one job to its end (with its retries); return the last execution's history entry."""
    settings = settings or load_settings()
    jobs = load_jobs()
    if name not in jobs:
        raise KinetraError(f"no job {name!r} (jobs: {', '.join(jobs) or 'none'})")
    job = jobs[name]
    last: dict[str, Any] = {}
    for attempt in range(1, job.retry.max_retries + 2):
        hid = _history_start(store, name, attempt, trigger)
        try:
            kind, params = run_request(job, settings)
            run_id = runs.start(store, kind, params, seed=params.get("suite", {}).get("seed"), settings=settings)
        except KinetraError as err:
            _history_set(store, hid, status="failed", ended_at=now(), error=str(err))
            last = {"id": hid, "job": name, "attempt": attempt, "status": "failed", "error": str(err)}
        else:
            _history_set(store, hid, run_id=run_id)
            if on_run:
                on_run(run_id)
            with _ACTIVE_LOCK:
                _ACTIVE[name] = run_id
            try:
                rec = _wait(store, run_id, poll)
            finally:
                with _ACTIVE_LOCK:
                    _ACTIVE.pop(name, None)
            status, summary, error = judge(job, rec)
            _history_set(store, hid, status=status, ended_at=now(), summary=summary, error=error)
            last = {"id": hid, "job": name, "attempt": attempt, "run_id": run_id, "status": status,
                    "summary": summary, "error": error}
        if last["status"] in ("succeeded", "cancelled") or STOP.is_set():
            break
        if attempt <= job.retry.max_retries and STOP.wait(job.retry.delay_seconds):
            break
    return last


def run_scheduled(name: str) -> None:
    """The function the daemon's scheduler calls: one execution on schedule."""
    from kinetra.store import open_store

    try:
        execute_job(open_store(), name, trigger="schedule")
    except KinetraError as err:  # recorded in history where possible; the daemon keeps serving
        print(f"job {name}: {err}", flush=True)


def run_detached(store: Any, name: str) -> int:
    """Execute a job now in its own process (outliving the TUI); return its pid."""
    import os
    import subprocess
    import sys

    if name not in load_jobs():
        raise KinetraError(f"no job {name!r}")
    home = store.path.parent
    log = open(home / "jobs-daemon.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([sys.executable, "-m", "kinetra.jobs.launch", name], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log, env={**os.environ, "KINETRA_HOME": str(home)},
                            start_new_session=True)
    log.close()
    threading.Thread(target=proc.wait, daemon=True).start()
    return proc.pid


def history(store: Any, name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Job executions, newest first (one job or all)."""
    where, args = ("WHERE job = ?", [name]) if name else ("", [])
    with store.session() as con:
        rows = con.execute(f"SELECT id, job, attempt, trigger, run_id, status, started_at, ended_at, summary, error"
                           f" FROM job_history {where} ORDER BY started_at DESC, attempt DESC LIMIT ?",
                           [*args, limit]).fetchall()
    keys = ("id", "job", "attempt", "trigger", "run_id", "status", "started_at", "ended_at", "summary", "error")
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        for k in ("started_at", "ended_at"):
            item[k] = item[k].isoformat() + "Z" if item[k] else None
        out.append(item)
    return out


if __name__ == "__main__":
    import sys

    from kinetra.store import open_store

    try:
        outcome = execute_job(open_store(), sys.argv[1], trigger="manual")
    except KinetraError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    print(f"{sys.argv[1]}: {outcome['status']}", flush=True)
    sys.exit(0 if outcome["status"] == "succeeded" else 1)
