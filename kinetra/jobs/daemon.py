"""The jobs daemon: `kinetra jobs serve`. One per KINETRA_HOME, a heartbeat in the store, clean SIGTERM.

It re-reads the schedules at every heartbeat, so a job enabled, edited or paused from the TUI or
the CLI takes effect within seconds without a restart. On SIGTERM it cancels the runs its jobs
started (they end `cancelled`), waits for them, and exits 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from kinetra import runs
from kinetra.errors import ConfigError, KinetraError
from kinetra.jobs import launch
from kinetra.jobs.scheduler import make_scheduler, sync
from kinetra.jobs.schedules import load_jobs
from kinetra.runs.records import now

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=30)


class DaemonRunningError(KinetraError):
    """Another daemon already serves this KINETRA_HOME."""


def _lock(home: Path) -> FileLock:
    return FileLock(str(home / "jobs-daemon.lock"), thread_local=False)


def status(store: Any) -> dict[str, Any]:
    """Whether a daemon serves this store: alive, pid, started and last heartbeat (UTC ISO)."""
    with store.session() as con:
        row = con.execute("SELECT pid, pid_started, started_at, heartbeat_at, stopped_at FROM jobs_daemon"
                          " WHERE id = 1").fetchall()
    if not row:
        return {"alive": False, "pid": None, "started_at": None, "heartbeat_at": None}
    pid, pid_started, started, beat, stopped = row[0]
    alive = stopped is None and runs.process_alive(pid, pid_started) and now() - beat < STALE_AFTER
    iso = lambda t: t.isoformat() + "Z" if t else None  # noqa: E731
    return {"alive": bool(alive), "pid": pid, "started_at": iso(started), "heartbeat_at": iso(beat)}


def _beat(store: Any, first: bool = False) -> None:
    with store.session() as con:
        if first:
            import psutil

            con.execute("INSERT OR REPLACE INTO jobs_daemon VALUES (1, ?, ?, ?, ?, NULL)",
                        [os.getpid(), psutil.Process().create_time(), now(), now()])
        else:
            con.execute("UPDATE jobs_daemon SET heartbeat_at = ? WHERE id = 1", [now()])


def serve(store: Any, heartbeat: float = HEARTBEAT_SECONDS) -> int:
    """Run the scheduler until SIGTERM or SIGINT; refuse if a daemon already serves this home."""
    lock = _lock(store.path.parent)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        pid = status(store)["pid"]
        raise DaemonRunningError(f"a jobs daemon already runs for {store.path.parent}"
                                 + (f" (pid {pid})" if pid else "")) from None
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    launch.STOP.clear()
    _beat(store, first=True)
    scheduler = make_scheduler(store)
    scheduler.start()

    ticking = threading.Lock()

    def tick() -> None:
        with ticking:
            if stop.is_set():  # shutting down: the scheduler's locks are the shutdown's now
                return
            _beat(store)
            try:
                sync(scheduler, load_jobs())
            except ConfigError as err:  # a bad edit keeps the last good schedules
                print(f"schedules not reloaded: {err}", flush=True)

    tick()
    scheduler.add_job(tick, "interval", seconds=heartbeat, jobstore="internal", id="_heartbeat")
    print(f"jobs daemon {os.getpid()} serving {store.path.parent}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        with ticking:  # a tick under way ends first: shutdown(wait=True) holds the lock sync needs
            pass
        launch.STOP.set()
        for run_id in launch.active_runs().values():
            runs.cancel(store, run_id)
        scheduler.shutdown(wait=True)
        with store.session() as con:
            con.execute("UPDATE jobs_daemon SET stopped_at = ? WHERE id = 1", [now()])
        lock.release()
        print("jobs daemon stopped", flush=True)
    return 0


def start_detached(store: Any) -> int:
    """Start `kinetra jobs serve` in its own session (it outlives the TUI and SSH); return its pid."""
    current = status(store)
    if current["alive"]:
        return int(current["pid"])
    home = store.path.parent
    log = open(home / "jobs-daemon.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([sys.executable, "-m", "kinetra.jobs.daemon"], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=log, env={**os.environ, "KINETRA_HOME": str(home)}, start_new_session=True)
    log.close()
    threading.Thread(target=proc.wait, daemon=True).start()
    return proc.pid


def main() -> int:
    """Entry point of the detached daemon."""
    from kinetra.store import open_store

    try:
        return serve(open_store())
    except KinetraError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
