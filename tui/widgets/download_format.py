"""How a download run looks: one row per series, a status line, and the summary when it ends."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from kinetra.runs import FINISHED
from tui.widgets.runs_format import STATUS_STYLE, progress_text

PROGRESS_COLUMNS = ("symbol", "tf", "broker", "status", "progress", "new bars", "pages", "retries", "message")
SERIES_STYLE = {"queued": "grey62", "running": "bold cyan", "done": "green", "failed": "bold red",
                "stopped": "yellow"}


def series_status(row: dict[str, Any], run_status: str) -> str:
    """The row's status; one left queued or running by a run that ended is `stopped`."""
    if run_status in FINISHED and row["status"] in ("queued", "running"):
        return "stopped"
    return row["status"]


def row_cells(row: dict[str, Any], run_status: str) -> tuple[Any, ...]:
    """Cells of one series' progress row, in PROGRESS_COLUMNS order."""
    status = series_status(row, run_status)
    return (row["symbol"], row["timeframe"], row["broker"], Text(status, style=SERIES_STYLE.get(status, "")),
            progress_text(row["fraction"] or 0.0, width=12), f"{row['bars']:,}", str(row["pages"]),
            str(row["retries"]), one_line(row["message"] or ""))


def one_line(text: str, limit: int = 120) -> str:
    """The first line of `text`, cut to `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def run_line(rec: Any) -> Text:
    """One line naming the run, what it asked for and its overall state."""
    p = rec.params
    asked = f"{', '.join(p['symbols'])} × {', '.join(p['timeframes'])} since {p['since'][:10]}"
    state = (f"{rec.status} {rec.progress * 100:.0f}%", STATUS_STYLE.get(rec.status, ""))
    line = Text.assemble(f"download {rec.id} · {p['source']} · {asked} · ", state)
    if rec.status not in FINISHED and rec.message:
        line.append(f" · {one_line(rec.message, 60)}")
    return line


def summary_line(rec: Any) -> tuple[str, str]:
    """The run's outcome as (severity, one line): new bars and failed series, or why it stopped."""
    if rec.status == "succeeded" and rec.result:
        t = rec.result["totals"]
        text = (f"done: {t['added']:,} new bars · {t['pages']} pages · {t['retries']} retries"
                f" · {t['seconds']:.1f} s")
        failed = [s for s in rec.result["series"] if s["status"] == "failed"]
        if not failed:
            return "information", text
        errors = "; ".join(f"{s['symbol']} {s['timeframe']}: {one_line(s['error'] or '', 60)}" for s in failed)
        return "warning", f"{text} · {len(failed)} failed: {errors}"
    if rec.status == "cancelled":
        return "warning", f"cancelled: {one_line(rec.error or 'stopped on request')}"
    if rec.status == "failed":
        return "error", f"failed: {one_line(rec.error or 'the run failed')}"
    return "information", ""
