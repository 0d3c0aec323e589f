"""Run rows and their events in the store: plain reads and writes, no process handling."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from kinetra.clock import Clock, SystemClock, utc_naive
from kinetra.errors import UnknownRunError

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
_CLOCK: Clock = SystemClock()

_COLUMNS = (
    "id, kind, params, config_snapshot, git_revision, data_fingerprint, seed, status, pid, pid_started,"
    " progress, message, error, result, cancel_requested, created_at, started_at, ended_at, heartbeat_at"
)


@dataclass(frozen=True)
class RunRecord:
    """One run as stored."""

    id: str
    kind: str
    params: dict[str, Any]
    config_snapshot: dict[str, Any]
    git_revision: str | None
    data_fingerprint: str | None
    seed: int | None
    status: str
    pid: int | None
    pid_started: float | None
    progress: float
    message: str | None
    error: str | None
    result: dict[str, Any] | None
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    heartbeat_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Return the record as JSON-ready data (times ISO 8601 UTC)."""
        out = asdict(self)
        for key in ("created_at", "started_at", "ended_at", "heartbeat_at"):
            out[key] = out[key].isoformat() + "Z" if out[key] else None
        out["duration_s"] = self.duration_s()
        return out

    def duration_s(self) -> float | None:
        """Seconds from start to end, or to the last heartbeat while running."""
        end = self.ended_at or self.heartbeat_at
        if not self.started_at or not end:
            return None
        return round((end - self.started_at).total_seconds(), 3)


def now() -> datetime:
    """Return the store's notion of now (naive UTC)."""
    return utc_naive(_CLOCK.now())


def _row_to_record(row: tuple[Any, ...]) -> RunRecord:
    values = list(row)
    values[2] = json.loads(values[2])
    values[3] = json.loads(values[3])
    values[13] = json.loads(values[13]) if values[13] else None
    return RunRecord(*values)


def insert(store: Any, kind: str, params: dict[str, Any], snapshot: dict[str, Any], seed: int | None) -> str:
    """Insert a queued run and return its id."""
    run_id = uuid.uuid4().hex[:10]
    with store.session() as con:
        con.execute(
            "INSERT INTO runs (id, kind, params, config_snapshot, git_revision, seed, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
            [run_id, kind, json.dumps(params), json.dumps(snapshot), snapshot.get("git_revision"), seed, now()],
        )
    return run_id


def get(store: Any, run_id: str) -> RunRecord:
    """Return one run, or raise UnknownRunError."""
    with store.session() as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise UnknownRunError(f"no run with id {run_id!r} (see `kinetra runs list`)")
    return _row_to_record(row)


def select(store: Any, limit: int = 50, kinds: tuple[str, ...] = (), statuses: tuple[str, ...] = ()) -> list[RunRecord]:
    """Return the newest runs first, optionally of some kinds or statuses."""
    where, args = [], []
    if kinds:
        where.append(f"kind IN ({', '.join('?' * len(kinds))})")
        args.extend(kinds)
    if statuses:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        args.extend(statuses)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    with store.session() as con:
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM runs {clause} ORDER BY created_at DESC, id LIMIT ?", [*args, limit]
        ).fetchall()
    return [_row_to_record(r) for r in rows]


def update(store: Any, run_id: str, **fields: Any) -> None:
    """Set columns of one run."""
    if "result" in fields and fields["result"] is not None:
        fields["result"] = json.dumps(fields["result"])
    sets = ", ".join(f"{k} = ?" for k in fields)
    with store.session() as con:
        con.execute(f"UPDATE runs SET {sets} WHERE id = ?", [*fields.values(), run_id])


def finish(store: Any, run_id: str, status: str, error: str | None = None,
           result: dict[str, Any] | None = None, only_if_active: bool = True) -> bool:
    """End a run with a final status; return False if it had already ended."""
    guard = " AND status IN ('queued', 'running')" if only_if_active else ""
    progress = ", progress = 1" if status == "succeeded" else ""
    with store.session() as con:
        changed = con.execute(
            f"UPDATE runs SET status = ?, error = ?, result = ?, ended_at = ?{progress} WHERE id = ?{guard}"
            " RETURNING id",
            [status, error, json.dumps(result) if result is not None else None, now(), run_id],
        ).fetchall()
    return bool(changed)


def set_progress(store: Any, run_id: str, fraction: float, message: str) -> None:
    """Record progress and refresh the heartbeat."""
    update(store, run_id, progress=fraction, message=message or None, heartbeat_at=now())


def heartbeat(store: Any, run_id: str) -> None:
    """Record that the run's process is alive."""
    update(store, run_id, heartbeat_at=now())


def cancel_requested(store: Any, run_id: str) -> bool:
    """Tell whether cancellation was requested for a run."""
    with store.session() as con:
        rows = con.execute("SELECT cancel_requested FROM runs WHERE id = ?", [run_id]).fetchall()
    return bool(rows and rows[0][0])


def add_event(store: Any, run_id: str, message: str, level: str = "info") -> None:
    """Append an event to a run."""
    with store.session() as con:
        con.execute(
            "INSERT INTO run_events SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ? FROM run_events WHERE run_id = ?",
            [run_id, now(), level, message, run_id],
        )


def events(store: Any, run_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
    """Return a run's events after a sequence number, oldest first."""
    with store.session() as con:
        rows = con.execute(
            "SELECT seq, logged_at, level, message FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq",
            [run_id, after_seq],
        ).fetchall()
    return [{"seq": s, "at": a.isoformat() + "Z", "level": lv, "message": m} for s, a, lv, m in rows]
