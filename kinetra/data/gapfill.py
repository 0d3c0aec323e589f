"""Gap fill: ask each series' own source for exactly the gaps health reports, and record what it lacks.

A gap the source fills lands like any download (never over a stored bar); a gap the source has
no bars for is recorded as confirmed by source, and health stops counting it against the score.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd

from kinetra.clock import Clock
from kinetra.config import Settings, load_settings
from kinetra.data.bars_frame import PreparedSeries
from kinetra.data.health.scan import scan_store
from kinetra.data.inventory import SeriesInfo, list_series
from kinetra.data.sources import Source, SourceAuthError, SourceError, open_source
from kinetra.data.writer import write_series
from kinetra.errors import RunCancelled
from kinetra.runs.records import now as store_now

Progress = Callable[[float, str], None]


def _origins(store: Any, series_id: int) -> list[str]:
    with store.session() as con:
        rows = con.execute("SELECT origin, source FROM ingests WHERE series_id = ? ORDER BY id DESC",
                           [series_id]).fetchall()
    return [origin for origin, _ in rows]


def source_for(store: Any, info: SeriesInfo, settings: Settings) -> Source:
    """The source a series came from, set up as it was (the same seed, the same export files)."""
    origins = _origins(store, info.id)
    if info.source == "synthetic":
        seed = next((int(m.group(1)) for o in origins if (m := re.search(r"seed (\d+)", o))), 7)
        return open_source("synthetic", settings, info.broker, seed=seed)
    if info.source == "mt5_csv":
        return open_source("mt5_csv", settings, info.broker, paths=sorted(set(origins)))
    return open_source(info.source, settings, info.broker)


async def _fetch(source: Source, info: SeriesInfo, start: datetime, end: datetime) -> pd.DataFrame | None:
    frames = []
    async for page in source.pages(info.symbol, info.timeframe, start, end):
        if page.frame.empty:
            break
        frames.append(page.frame[((page.frame["ts"] >= start) & (page.frame["ts"] <= end)).to_numpy()])
    if not frames:
        return None
    return pd.concat(frames).drop_duplicates("ts").sort_values("ts").reset_index(drop=True)


def _naive(iso: str) -> datetime:
    return pd.Timestamp(iso).tz_localize(None).to_pydatetime()


def _record(store: Any, source: Source, info: SeriesInfo, gap: dict, rows: pd.DataFrame | None,
            run_id: str | None) -> dict[str, Any]:
    """Write what the source had for one gap, or record the gap as confirmed by source, in one transaction."""
    added = 0
    with store.session() as con:
        if rows is not None and len(rows):
            item = PreparedSeries(info.broker, info.symbol, info.timeframe, info.asset_class, info.source,
                                  f"{source.name} gap fill {gap['start']}", rows, is_demo=info.is_demo)
            added = write_series(store, [item], run_id)[0].added
        if added == 0:
            con.execute("INSERT INTO confirmed_gaps VALUES (?, ?, ?, ?, ?)",
                        [info.id, _naive(gap["start"]), _naive(gap["end"]), source.name, store_now()])
    return {"symbol": info.symbol, "timeframe": info.timeframe, "broker": info.broker, "start": gap["start"],
            "end": gap["end"], "missing_bars": gap["missing_bars"], "filled_bars": added,
            "confirmed_by_source": added == 0, "source": source.name}


async def _fill_series(store: Any, source: Source, info: SeriesInfo, gaps: list[dict], run_id: str | None,
                       tick: Callable[[str], None], should_cancel: Callable[[], bool]) -> list[dict[str, Any]]:
    try:
        out = []
        for gap in gaps:
            if should_cancel():
                raise RunCancelled("gap fill cancelled; gaps handled so far are kept")
            tick(f"{info.symbol} {info.timeframe} gap at {gap['start'][:16]}")
            rows = await _fetch(source, info, _naive(gap["start"]), _naive(gap["end"]))
            out.append(_record(store, source, info, gap, rows, run_id))
        return out
    finally:
        await source.close()


def fill_gaps(store: Any, symbol: str | None = None, timeframe: str | None = None, settings: Settings | None = None,
              clock: Clock | None = None, on_progress: Progress | None = None,
              should_cancel: Callable[[], bool] | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Scan, then ask each series' source for each reported gap; return what was filled and confirmed."""
    settings = settings or load_settings()
    report = on_progress or (lambda f, m: None)
    cancel = should_cancel or (lambda: False)
    reports = [r for r in scan_store(store, symbol, timeframe, settings, clock) if r["gaps"]]
    infos = {s.id: s for s in list_series(store)}
    total = sum(len(r["gaps"]) for r in reports)
    done = [0]

    def tick(message: str) -> None:
        report(done[0] / max(total, 1), message)
        done[0] += 1

    results, failures = [], []
    for rep in reports:
        info = infos[rep["series_id"]]
        try:
            source = source_for(store, info, settings)
            results += asyncio.run(_fill_series(store, source, info, rep["gaps"], run_id, tick, cancel))
        except SourceAuthError:
            raise
        except SourceError as err:
            failures.append({"symbol": info.symbol, "timeframe": info.timeframe, "broker": info.broker,
                             "gaps": len(rep["gaps"]), "error": str(err)})
    report(1.0, "done")
    return {"gaps": results, "failed": failures,
            "totals": {"gaps": total, "filled_bars": sum(r["filled_bars"] for r in results),
                       "confirmed": sum(r["confirmed_by_source"] for r in results), "failed": len(failures)}}


def fill_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `fill`: gap fill with progress and cancel."""
    return fill_gaps(ctx.store, params.get("symbol"), params.get("timeframe"), on_progress=ctx.progress,
                     should_cancel=ctx.should_cancel, run_id=ctx.run_id)
