"""How jobs look: coloured statuses, short UTC times, the daemon banner and Home's jobs line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from tui.widgets.runs_format import age

JOB_COLUMNS = ("name", "kind", "schedule", "enabled", "paused", "next run (UTC)", "last")
HISTORY_COLUMNS = ("started (UTC)", "ended", "try", "trigger", "status", "run", "summary or error")
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
    return (job["name"], job["kind"], job["schedule"], "yes" if job["enabled"] else "no",
            "paused" if job["paused"] else "", short(job["next_run"]), job_status_text(job["last_status"]))


def job_detail(job: dict[str, Any]) -> Text:
    """The selected job in full: what it does, and how its last execution ended (red when it failed)."""
    out = Text(f"{job['name']}: {job['description'] or job['kind']}")
    if job["last_status"] is None:
        return out.append(" · has not run yet")
    out.append(" · last ")
    out.append_text(job_status_text(job["last_status"]))
    out.append(f" {short(job['last_ended'])}" if job["last_ended"] else "")
    if job["last_error"]:
        out.append(f": {job['last_error']}", style="red" if job["last_status"] == "failed" else "yellow")
    elif job["last_summary"]:
        out.append(f": {job['last_summary']}")
    return out


def history_row(item: dict[str, Any]) -> tuple[Any, ...]:
    """One history-table row from a `history()` entry; the end as a time of day when on the day it started."""
    detail = clip(item["error"] or item["summary"] or "", 40)
    ended = short(item["ended_at"], seconds=True)
    if ended[:10] == short(item["started_at"])[:10]:
        ended = ended[11:]
    return (short(item["started_at"]), ended, str(item["attempt"]), item["trigger"], job_status_text(item["status"]),
            item["run_id"] or "", Text(detail, style="red") if item["status"] == "failed" else detail)


def history_detail(item: dict[str, Any]) -> Text:
    """One execution in full: when, how it ended, its summary and error (red when it failed)."""
    out = Text(f"{item['job']} try {item['attempt']} ({item['trigger']}) from {short(item['started_at'], True)} · ")
    out.append_text(job_status_text(item["status"]))
    if item["summary"]:
        out.append(f" · {item['summary']}")
    if item["error"]:
        out.append(f" · {item['error']}", style="red" if item["status"] == "failed" else "yellow")
    return out


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


def clip(text: str, width: int = 70) -> str:
    """Return `text` cut to `width` characters, ending in … when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def jobs_line(jobs: list[dict[str, Any]], daemon: dict[str, Any], now: datetime) -> Text:
    """Home's line: how many jobs are enabled, whether the daemon runs, and each job whose last execution failed."""
    enabled = sum(j["enabled"] for j in jobs)
    line = Text(f"Jobs: {enabled or 'none'} enabled, daemon {'alive' if daemon['alive'] else 'not running'}")
    for job in jobs:
        if job["last_status"] == "failed":
            reason = f" ({clip(job['last_error'])})" if job["last_error"] else ""
            line.append(" · ")
            line.append(f"{job['name']} failed {_when(job['last_ended'], now)}{reason}", style="bold red")
    if enabled and not daemon["alive"]:
        line.append(" · schedules wait: D on Jobs (7) starts the daemon", style="yellow")
    elif not enabled:
        line.append(" (Jobs, key 7, then t enables one)")
    return line
