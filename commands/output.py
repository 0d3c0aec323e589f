"""Rendering for the CLI: JSON on stdout for scripts, rich tables and progress for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def emit_json(data: Any) -> None:
    """Print data as JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table for people."""
    out = Table(title=title, header_style="bold")
    for col in columns:
        out.add_column(col, justify="right" if col in {"bars", "added", "present", "revised", "rejected", "progress"} else "left")
    for row in rows:
        out.add_row(*("" if v is None else str(v) for v in row))
    console.print(out)


@contextmanager
def progress_bar(description: str, quiet: bool = False) -> Iterator[Any]:
    """Yield an `on_progress(fraction, message)` callback drawing a bar on stderr."""
    if quiet or not err_console.is_terminal:  # scripts and pipes get no bar (and no blank line it leaves)
        yield lambda fraction, message: None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=err_console, transient=True)
    with bar:
        task = bar.add_task(description, total=1.0, note="")
        yield lambda fraction, message: bar.update(task, completed=fraction, note=message)
