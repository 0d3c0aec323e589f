"""How runs look in tables: coloured status, a text progress bar, ages and durations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tui.widgets.tables import refill

RUN_COLUMNS = ("id", "kind", "status", "progress", "started", "took", "message")

STATUS_STYLE = {"queued": "grey62", "running": "bold cyan", "succeeded": "green", "failed": "bold red",
                "cancelled": "yellow"}


def status_text(status: str) -> Text:
    """Return the status coloured by its meaning."""
    return Text(status, style=STATUS_STYLE.get(status, ""))


def progress_text(fraction: float, width: int = 10) -> str:
    """Return a bar like `█████░░░░░  52%`."""
    filled = round(max(0.0, min(fraction, 1.0)) * width)
    return "█" * filled + "░" * (width - filled) + f" {fraction * 100:3.0f}%"


def age(at: datetime | None, now: datetime) -> str:
    """Return how long ago `at` was, compactly (`42s`, `5m`, `3h`, `2d`)."""
    if at is None:
        return ""
    seconds = max(0.0, (now - at).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size:.0f}{unit} ago"
    return f"{seconds:.0f}s ago"


def duration(seconds: float | None) -> str:
    """Return a duration like `1.2s`, `3m04s` or `2h05m`."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def run_cells(rec: Any, now: datetime) -> tuple[Any, ...]:
    """Cells of one run (RunRecord) in RUN_COLUMNS order."""
    return (rec.id, rec.kind, status_text(rec.status), progress_text(rec.progress),
            age(rec.started_at or rec.created_at, now), duration(rec.duration_s()), rec.error or rec.message or "")


def fill_runs(table: DataTable, recs: Sequence[Any], now: datetime,
              cells: Callable[[Any, datetime], tuple[Any, ...]] = run_cells) -> None:
    """Replace a runs table's rows with `recs` (RunRecord), newest first, keyed by run id; the cursor stays."""
    refill(table, ((rec.id, cells(rec, now)) for rec in recs))
