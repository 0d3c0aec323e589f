"""Import bars into the store: idempotent, all-or-nothing, never overwriting a stored bar."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from kinetra.config import Settings, load_settings
from kinetra.data.bars_frame import BAR_COLUMNS, PreparedSeries, frame_from_arrays, modal_spacing
from kinetra.data.writer import summarize, write_series
from kinetra.data.mt5_csv import ParsedBars, parse_mt5_csv
from kinetra.data.symbols import infer_asset_class, parse_file_name
from kinetra.data.timeframes import parse_timeframe, spacing_matches, timeframe_for_spacing
from kinetra.data.timezones import server_to_utc
from kinetra.errors import MalformedFileError, RunCancelled, TimeframeMismatchError

MAX_LISTED_REJECTS = 20
Progress = Callable[[float, str], None]


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their CSV files (recursively, sorted); refuse missing paths."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".txt")))
        elif path.is_file():
            files.append(path)
        else:
            raise MalformedFileError(str(path), "no such file or folder")
    if not files:
        raise MalformedFileError(", ".join(map(str, paths)), "no CSV files found")
    return files


def _identify(path: Path, symbol: str | None, timeframe: str | None) -> tuple[str, str]:
    named = parse_file_name(path)
    sym = symbol or (named.symbol if named else None)
    tf = timeframe or (named.timeframe if named else None)
    if not sym or not tf:
        raise MalformedFileError(
            str(path), "cannot tell symbol and timeframe from the name (SYMBOL_TF_...csv); pass --symbol and --timeframe"
        )
    return sym, parse_timeframe(tf)


def _check_bad_rows(path: Path, parsed: ParsedBars, max_fraction: float) -> None:
    bad = len(parsed.bad_lines)
    if bad and bad > max_fraction * parsed.total_rows:
        first = f"line {parsed.bad_lines[0]}: {parsed.bad_reasons[0]}"
        raise MalformedFileError(
            str(path), f"{bad} of {parsed.total_rows} rows unreadable (first at {first}); nothing imported"
        )


def _check_spacing(path: Path, tf: str, ts: np.ndarray, force: bool) -> None:
    spacing = modal_spacing(ts)
    if force or spacing is None or spacing_matches(tf, spacing):
        return
    found = timeframe_for_spacing(spacing)
    hint = f" ({found})" if found else ""
    raise TimeframeMismatchError(
        str(path), f"declared {tf} but bars are {_human(spacing)} apart{hint}; use --force to import anyway"
    )


def _human(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _rejects(parsed: ParsedBars, dup_lines: np.ndarray) -> list[dict]:
    rows = [{"line": int(ln), "reason": r} for ln, r in zip(parsed.bad_lines, parsed.bad_reasons, strict=True)]
    rows += [{"line": int(ln), "reason": "duplicate timestamp in file (first kept)"} for ln in dup_lines]
    return sorted(rows, key=lambda r: r["line"])


def _unique_in_time_order(utc: np.ndarray, lines: np.ndarray) -> tuple[slice | np.ndarray, np.ndarray]:
    """Return an index putting bars in time order keeping the first of equal times, and the dropped lines."""
    if len(utc) < 2 or bool(np.all(utc[1:] > utc[:-1])):  # already strictly increasing: no copies
        return slice(None), lines[:0]
    order = np.argsort(utc, kind="stable")
    sorted_ts = utc[order]
    keep = np.ones(len(sorted_ts), dtype=bool)
    keep[1:] = sorted_ts[1:] != sorted_ts[:-1]
    return order[keep], lines[order[~keep]]


def prepare_file(path: Path, settings: Settings, symbol: str | None = None, timeframe: str | None = None,
                 broker: str | None = None, force: bool = False) -> PreparedSeries:
    """Parse and validate one MT5 export into UTC bars; raise MalformedFileError if it must be refused."""
    sym, tf = _identify(path, symbol, timeframe)
    broker_name, broker_cfg = settings.broker(broker)
    parsed = parse_mt5_csv(path)
    _check_bad_rows(path, parsed, settings.ingest.max_bad_row_fraction)
    utc = server_to_utc(parsed.ts, broker_cfg.timezone)
    idx, dup_lines = _unique_in_time_order(utc, parsed.lines)
    _check_spacing(path, tf, utc[idx], force)
    columns = {name: getattr(parsed, name)[idx] for name in BAR_COLUMNS}
    rejected = _rejects(parsed, dup_lines)
    return PreparedSeries(
        broker=broker_name, symbol=sym, timeframe=tf, asset_class=infer_asset_class(sym, settings.asset_classes),
        source="mt5_csv", origin=str(path), frame=frame_from_arrays(utc[idx], **columns),
        rejected=rejected[:MAX_LISTED_REJECTS], rejected_count=len(rejected),
    )


def import_files(paths: Iterable[str | Path], store: Any, symbol: str | None = None, timeframe: str | None = None,
                 broker: str | None = None, force: bool = False, settings: Settings | None = None,
                 on_progress: Progress | None = None, should_cancel: Callable[[], bool] | None = None,
                 run_id: str | None = None) -> dict[str, Any]:
    """Import MT5 exports (files or folders); all files land in one transaction or none do."""
    settings = settings or load_settings()
    files = collect_files(paths)
    report = on_progress or (lambda f, m: None)
    prepared = []
    for i, path in enumerate(files):
        if should_cancel and should_cancel():
            raise RunCancelled("cancelled before writing; the store is unchanged")
        report(0.8 * i / len(files), f"reading {path.name}")
        prepared.append(prepare_file(path, settings, symbol, timeframe, broker, force))
    if should_cancel and should_cancel():
        raise RunCancelled("cancelled before writing; the store is unchanged")
    report(0.8, f"writing {sum(len(p.frame) for p in prepared):,} bars")
    series = write_series(store, prepared, run_id)
    report(1.0, "done")
    return summarize(series)


def import_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `import`: import_files with the run's params, progress and cancel."""
    return import_files(
        params["paths"], ctx.store, symbol=params.get("symbol"), timeframe=params.get("timeframe"),
        broker=params.get("broker"), force=bool(params.get("force")), on_progress=ctx.progress,
        should_cancel=ctx.should_cancel, run_id=ctx.run_id,
    )
