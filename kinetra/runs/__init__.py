"""Runs: every long task is a stored run executed in its own process, with progress and cancel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import psutil

from kinetra.config import Settings, load_settings, snapshot
from kinetra.errors import KinetraError, RunCancelled
from kinetra.paths import runs_dir
from kinetra.runs import records
from kinetra.runs.context import RunContext
from kinetra.runs.kinds import RESUMABLE, resolve
from kinetra.runs.records import ACTIVE, FINISHED, RunRecord

__all__ = [
    "ACTIVE", "FINISHED", "RunRecord", "RunContext", "create", "spawn", "start", "run_inline", "execute",
    "get", "list_runs", "events", "cancel", "reap", "wait", "resume",
]


def create(store: Any, kind: str, params: dict[str, Any], seed: int | None = None,
           settings: Settings | None = None) -> str:
    """Record a queued run of `kind` with its params, seed and config snapshot; return its id."""
    resolve(kind)
    return records.insert(store, kind, params, snapshot(settings or load_settings()), seed)


def spawn(store: Any, run_id: str) -> int:
    """Start the run's worker as a detached process (own session, survives its parent); return its pid."""
    log = open(runs_dir(store.path.parent) / f"{run_id}.log", "ab")  # noqa: SIM115 - handed to the child
    env = {**os.environ, "KINETRA_HOME": str(store.path.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kinetra.runs.worker", run_id],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True, close_fds=True,
    )
    log.close()
    threading.Thread(target=proc.wait, daemon=True, name=f"reap-{run_id}").start()  # no zombies in a long TUI
    records.update(store, run_id, pid=proc.pid, pid_started=_create_time(proc.pid))
    return proc.pid


def start(store: Any, kind: str, params: dict[str, Any], seed: int | None = None,
          settings: Settings | None = None) -> str:
    """Create a run and spawn its worker; return the run id at once."""
    run_id = create(store, kind, params, seed, settings)
    spawn(store, run_id)
    return run_id


def run_inline(store: Any, kind: str, params: dict[str, Any], seed: int | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               settings: Settings | None = None) -> RunRecord:
    """Create a run and execute it in this process (the CLI's foreground mode); return its record."""
    run_id = create(store, kind, params, seed, settings)
    execute(store, run_id, listener=on_progress, reraise=True)
    return records.get(store, run_id)


class _Heartbeat(threading.Thread):
    """Writes the run's heartbeat until stopped."""

    def __init__(self, store: Any, run_id: str, every: float) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.store, self.run_id, self.every = store, run_id, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                records.heartbeat(self.store, self.run_id)
            except KinetraError:
                continue


def execute(store: Any, run_id: str, in_worker: bool = False,
            listener: Callable[[float, str], None] | None = None, reraise: bool = False) -> None:
    """Execute a queued run to its end state in this process; `reraise` passes KinetraError on."""
    rec = records.get(store, run_id)
    if rec.status != "queued":
        return
    if rec.cancel_requested:
        records.finish(store, run_id, "cancelled", error="cancelled before it started")
        return
    pid = os.getpid()
    records.update(store, run_id, status="running", pid=pid, pid_started=_create_time(pid),
                   started_at=records.now(), heartbeat_at=records.now())
    ctx = RunContext(store, run_id, rec.params, rec.seed, listener=listener)
    if in_worker:
        ctx.install_sigterm()
    beat = _Heartbeat(store, run_id, load_settings().runs.heartbeat_seconds)
    beat.start()
    try:
        _finish_task(store, rec, ctx, reraise)
    finally:
        beat.stopped.set()


def _finish_task(store: Any, rec: RunRecord, ctx: RunContext, reraise: bool) -> None:
    try:
        result = resolve(rec.kind)(rec.params, ctx)
    except RunCancelled as err:
        records.finish(store, rec.id, "cancelled", error=str(err))
        if reraise:
            raise
    except KinetraError as err:
        ctx.event(str(err), level="error")
        records.finish(store, rec.id, "failed", error=str(err))
        if reraise:
            raise
    except KeyboardInterrupt:
        records.finish(store, rec.id, "cancelled", error="interrupted")
        raise
    except Exception as err:  # a bug: record it, keep the traceback in the run log only
        traceback.print_exc()
        records.finish(store, rec.id, "failed", error=f"internal error: {type(err).__name__}: {err}")
    else:
        records.finish(store, rec.id, "succeeded", result=result)


def _create_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def process_alive(pid: int | None, started: float | None) -> bool:
    """Tell whether the process that ran a run still lives (not a zombie, not a reused pid)."""
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or abs(proc.create_time() - started) < 1.0
    except psutil.Error:
        return False


def _dead_reason(rec: RunRecord, stale_after: float) -> str | None:
    """Say why an active run is dead, or None while its process lives (a long transaction is not death)."""
    now = records.now()
    alive = process_alive(rec.pid, rec.pid_started)
    if rec.status == "running" and rec.pid and not alive:
        return f"process {rec.pid} died without finishing"
    silent = (now - (rec.heartbeat_at or rec.created_at)).total_seconds()
    if rec.status == "running" and not rec.pid and silent > stale_after:
        return f"no heartbeat for {silent:.0f} s"
    if rec.status == "queued" and rec.pid and not alive:
        return f"worker {rec.pid} exited before starting (see runs/{rec.id}.log)"
    if rec.status == "queued" and not alive and (now - rec.created_at).total_seconds() > stale_after:
        return "worker never started"
    return None


def reap(store: Any, settings: Settings | None = None) -> list[str]:
    """Mark active runs whose process is gone (or silent) as failed; return their ids."""
    stale_after = (settings or load_settings()).runs.stale_after_seconds
    reaped = []
    for rec in records.select(store, limit=1000, statuses=ACTIVE):
        reason = _dead_reason(rec, stale_after)
        if reason is None:
            continue
        status = "cancelled" if rec.cancel_requested else "failed"
        if records.finish(store, rec.id, status, error=reason):
            reaped.append(rec.id)
    return reaped


def get(store: Any, run_id: str) -> RunRecord:
    """Return one run after reaping dead ones, so its status is truthful."""
    reap(store)
    return records.get(store, run_id)


def list_runs(store: Any, limit: int = 50, kinds: tuple[str, ...] = ()) -> list[RunRecord]:
    """Return the newest runs first, after reaping dead ones."""
    reap(store)
    return records.select(store, limit=limit, kinds=kinds)


def events(store: Any, run_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
    """Return a run's events after a sequence number."""
    return records.events(store, run_id, after_seq)


def cancel(store: Any, run_id: str) -> RunRecord:
    """Ask a run to stop: set its flag and send SIGTERM to its live process."""
    rec = records.get(store, run_id)
    if rec.status in FINISHED:
        return rec
    records.update(store, run_id, cancel_requested=True)
    if rec.status == "running" and process_alive(rec.pid, rec.pid_started) and rec.pid != os.getpid():
        try:
            os.kill(rec.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return records.get(store, run_id)


def resume(store: Any, run_id: str) -> RunRecord:
    """Queue a cancelled or failed run of a resumable kind again and spawn its worker; it keeps its id.

    The task finds what the earlier attempt finished and does only the rest.
    """
    rec = get(store, run_id)
    if rec.kind not in RESUMABLE:
        raise KinetraError(f"run {run_id} is a {rec.kind} run, which cannot be resumed; start it again instead")
    if rec.status not in ("cancelled", "failed"):
        raise KinetraError(f"run {run_id} is {rec.status}; only a cancelled or failed run can be resumed")
    records.update(store, run_id, status="queued", cancel_requested=False, error=None, ended_at=None, pid=None,
                   pid_started=None, created_at=records.now())
    records.add_event(store, run_id, "resumed")
    spawn(store, run_id)
    return records.get(store, run_id)


def wait(store: Any, run_id: str, timeout: float = 60.0, poll: float = 0.2) -> RunRecord:
    """Block until a run ends (reaping dead ones) or the timeout passes; return its record."""
    deadline = time.monotonic() + timeout
    while True:
        rec = get(store, run_id)
        if rec.status in FINISHED or time.monotonic() >= deadline:
            return rec
        time.sleep(poll)
