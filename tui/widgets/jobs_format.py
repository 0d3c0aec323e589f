"""How jobs look: coloured statuses, short UTC times, the daemon banner and Home's jobs line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from tui.widgets.runs_format import age

JOB_COLUMNS = ("name", "kind", "schedule", "enabled", "paused", "next run (UTC)", "last", "last detail")
HISTORY_COLUMNS = ("started (UTC)", "ended (UTC)", "try", "trigger", "status", "run", "summary or error")
JOB_STATUS_STYLE = {"succeeded": "green", "failed": "bold red", "running": "yellow", "cancelled": "yellow"}


def job_status_text(status: str | None) -> Text:
    """Return a job execution's status coloured: succeeded green, failed red, running or cancelled amber."""
    return Text(status or "-", style=JOB_STATUS_STYLE.get(status or "", "grey62"))


def parse_iso(iso: str | None) -> datetime | None:
    """Return a store ISO time (`...Z`) as naive UTC, or None."""
    return datetime.fromisoformat(iso.removesuffix("Z")).replace(tzinfo=None) if iso else None


def short(iso: str | None, seconds: bool = False) -> str:
    """Return `2026-11-21 06:00` (or with seconds) from an ISO time; empty for None."""
    return iso[: 19 if seconds else 16].replace("T", " ") if iso else ""


def job_row(job: dict[str, Any]) -> tuple[Any, ...]:
    """One jobs-table row from an `overview()` entry."""
    detail = job["last_error"] or job["last_summary"] or ""
    return (job["name"], job["kind"], job["schedule"], "yes" if job["enabled"] else "no",
            "paused" if job["paused"] else "", short(job["next_run"]), job_status_text(job["last_status"]),
            Text(detail, style="red") if job["last_status"] == "failed" else detail)


def history_row(item: dict[str, Any]) -> tuple[Any, ...]:
    """One history-table row from a `history()` entry."""
    detail = item["error"] or item["summary"] or ""
    return (short(item["started_at"], seconds=True), short(item["ended_at"], seconds=True), str(item["attempt"]),
            item["trigger"], job_status_text(item["status"]), item["run_id"] or "",
            Text(detail, style="red") if item["status"] == "failed" else detail)


def daemon_banner(daemon: dict[str, Any], now: datetime) -> str:
    """Whether the daemon serves this store, with its pid and last heartbeat, or how to start it."""
    if daemon["alive"]:
        return (f"● Jobs daemon alive · pid {daemon['pid']} · last heartbeat "
                f"{age(parse_iso(daemon['heartbeat_at']), now)} · since {short(daemon['started_at'])} UTC")
    last = f" (last heartbeat {short(daemon['heartbeat_at'])} UTC)" if daemon["heartbeat_at"] else ""
    return f"○ Jobs daemon not running{last}: enabled jobs wait for it · D starts it in the background"


def _when(iso: str | None, now: datetime) -> str:
    at = parse_iso(iso)
    if at is None:
        return ""
    return f"{at:%H:%M}" if at.date() == now.date() else f"{at:%b %d %H:%M}"


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def jobs_line(jobs: list[dict[str, Any]], daemon: dict[str, Any], now: datetime) -> Text:
    """Home's line: how many jobs are enabled, whether the daemon runs, and each job whose last execution failed."""
    enabled = sum(j["enabled"] for j in jobs)
    line = Text(f"Jobs: {enabled or 'none'} enabled, daemon {'alive' if daemon['alive'] else 'not running'}")
    if enabled and not daemon["alive"]:
        line.append(" · schedules wait: D on Jobs (7) starts the daemon", style="yellow")
    elif not enabled:
        line.append(" (Jobs, key 7, then t enables one)")
    for job in jobs:
        if job["last_status"] == "failed":
            reason = f" ({_clip(job['last_error'])})" if job["last_error"] else ""
            line.append(" · ")
            line.append(f"{job['name']} failed {_when(job['last_ended'], now)}{reason}", style="bold red")
    return line
