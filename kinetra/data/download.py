"""The download manager: fetch only what the store lacks, page by page, resumable without holes.

For each series the store's extent and any unfinished windows decide what to ask for: bars newer
than the last stored one, and older history back to `since`. A window is recorded before the first
request; every page lands in one transaction together with the window's new upper edge, so a
download killed at any instant resumes exactly where it stopped, with no duplicates and no holes.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from kinetra.clock import Clock, SystemClock, utc_naive
from kinetra.config import Settings, load_settings
from kinetra.data.bars_frame import PreparedSeries
from kinetra.data.broker_specs import save_spec
from kinetra.data.sources import Page, Source, SourceAuthError, SourceError, open_source
from kinetra.data.symbols import infer_asset_class
from kinetra.data.timeframes import TIMEFRAME_SECONDS, parse_timeframe
from kinetra.data.writer import write_series
from kinetra.errors import KinetraError, RunCancelled
from kinetra.runs.records import now as store_now

Progress = Callable[[float, str], None]
SYNTHETIC_BROKER = "demo"
_TICK = timedelta(microseconds=1)


@dataclass
class Window:
    """A range still to fetch: [lo, hi] (naive UTC); `span_hi` is where it started, for progress."""

    id: str
    kind: str  # "newer" (after the last stored bar) or "older" (history back to since)
    lo: datetime
    hi: datetime
    span_hi: datetime


@dataclass
class SeriesOutcome:
    """What a download did for one series."""

    broker: str
    symbol: str
    timeframe: str
    status: str = "queued"
    added: int = 0
    pages: int = 0
    retries: int = 0
    first: str | None = None
    last: str | None = None
    server_offset_s: int | None = None
    error: str | None = None
    fraction: float = 0.0
    windows: list[dict] = field(default_factory=list)


def _iso(at: Any) -> str | None:
    return None if at is None else pd.Timestamp(at).isoformat() + "Z"


def parse_since(value: str | datetime) -> datetime:
    """Read a --since date (YYYY-MM-DD[THH:MM]) as naive UTC; a bad one is a one-line error."""
    if isinstance(value, datetime):
        return utc_naive(value)
    try:
        return utc_naive(datetime.fromisoformat(value))
    except ValueError:
        raise KinetraError(f"invalid --since {value!r}: use YYYY-MM-DD") from None


# --- the store side: extent, windows, floors, progress ---------------------------------------------

def _extent(con: Any, broker: str, symbol: str, tf: str) -> tuple[datetime | None, datetime | None]:
    row = con.execute(
        "SELECT min(b.ts), max(b.ts) FROM bars b JOIN series s ON s.id = b.series_id"
        " WHERE s.broker = ? AND s.symbol = ? AND s.timeframe = ?", [broker, symbol, tf]).fetchall()[0]
    return row[0], row[1]


def _pending(con: Any, key: tuple[str, str, str], source: str) -> list[Window]:
    rows = con.execute(
        "SELECT id, kind, lo, hi, span_hi FROM download_windows WHERE broker = ? AND symbol = ? AND timeframe = ?"
        " AND source = ? ORDER BY hi DESC", [*key, source]).fetchall()
    return [Window(*row) for row in rows]


def _served_since(con: Any, key: tuple[str, str, str], source: str) -> datetime | None:
    """How far back this source was already asked for the series in full (it may hold nothing older)."""
    row = con.execute("SELECT served_since FROM download_floors WHERE broker = ? AND symbol = ? AND timeframe = ?"
                      " AND source = ?", [*key, source]).fetchall()
    return row[0][0] if row else None


def plan_windows(store: Any, key: tuple[str, str, str], source: str, since: datetime, now: datetime) -> list[Window]:
    """Unfinished windows of earlier downloads plus what the store still lacks; recorded before any fetch."""
    step = timedelta(seconds=TIMEFRAME_SECONDS[key[2]])
    with store.session() as con:
        windows = _pending(con, key, source)
        first, last = _extent(con, *key)
        served = _served_since(con, key, source)
        covered_lo = min([w.lo for w in windows] + ([first] if first else []), default=None)
        covered_hi = max([w.span_hi for w in windows] + ([last] if last else []), default=None)
        new: list[Window] = []
        if covered_hi is None:
            new.append(Window(uuid.uuid4().hex, "older", since, now, now))
        else:
            if covered_hi + step <= now:
                new.append(Window(uuid.uuid4().hex, "newer", covered_hi + step, now, now))
            if since <= covered_lo - step and (served is None or since < served):
                new.append(Window(uuid.uuid4().hex, "older", since, covered_lo - step, covered_lo - step))
        for w in new:
            con.execute("INSERT INTO download_windows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [w.id, w.kind, *key, source, w.lo, w.hi, w.span_hi, store_now()])
    return sorted(windows + new, key=lambda w: w.hi, reverse=True)


def _save_progress(con: Any, run_id: str | None, seq: int, out: SeriesOutcome, message: str) -> None:
    if run_id is None:
        return
    con.execute(
        "INSERT OR REPLACE INTO download_progress VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, out.broker, out.symbol, out.timeframe, seq, out.status, out.fraction, out.added, out.pages,
         out.retries, message, store_now()])


def progress_rows(store: Any, run_id: str) -> list[dict[str, Any]]:
    """Per-series progress of a download run, in the order the series were asked for."""
    with store.session() as con:
        rows = con.execute(
            "SELECT broker, symbol, timeframe, status, fraction, bars, pages, retries, message, updated_at"
            " FROM download_progress WHERE run_id = ? ORDER BY seq", [run_id]).fetchall()
    keys = ("broker", "symbol", "timeframe", "status", "fraction", "bars", "pages", "retries", "message", "updated_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def broker_clock(store: Any, broker: str) -> int | None:
    """The broker's server-time offset from UTC in seconds, as last learned from a download."""
    with store.session() as con:
        row = con.execute("SELECT offset_seconds FROM broker_clocks WHERE broker = ?", [broker]).fetchall()
    return int(row[0][0]) if row else None


# --- one series -----------------------------------------------------------------------------------

@dataclass
class _Job:
    """Everything one series' download needs."""

    store: Any
    source: Source
    settings: Settings
    run_id: str | None
    seq: int
    now: datetime
    since: datetime
    should_cancel: Callable[[], bool]
    out: SeriesOutcome
    report: Callable[[], None]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.out.broker, self.out.symbol, self.out.timeframe)


def _fraction(windows: list[Window], live: dict[str, datetime]) -> float:
    total = sum((w.span_hi - w.lo).total_seconds() for w in windows)
    done = sum((w.span_hi - live.get(w.id, w.hi)).total_seconds() for w in windows)
    return 1.0 if total <= 0 else min(1.0, max(0.0, done / total))


def _page_rows(page: Page, w: Window, closed_before: datetime) -> pd.DataFrame:
    """The page's complete bars inside the window: a bar still forming is left for a later download."""
    ts = page.frame["ts"]
    keep = (ts >= w.lo) & (ts <= w.hi) & (ts < closed_before)
    return page.frame[keep.to_numpy()]


def _commit(job: _Job, w: Window, rows: pd.DataFrame, cursor: datetime, page: Page) -> None:
    """Write one page and move the window's edge below it, in one transaction."""
    out = job.out
    symbol, tf = out.symbol, out.timeframe
    with job.store.session() as con:
        if len(rows):
            item = PreparedSeries(
                broker=out.broker, symbol=symbol, timeframe=tf,
                asset_class=infer_asset_class(symbol, job.settings.asset_classes), source=job.source.name,
                origin=f"{job.source.name} {symbol} {tf} to {_iso(rows['ts'].iloc[-1])}", frame=rows,
                is_demo=job.source.name == "synthetic" and out.broker == SYNTHETIC_BROKER)
            (rep,) = write_series(job.store, [item], job.run_id)
            out.added += rep.added
        con.execute("UPDATE download_windows SET hi = ? WHERE id = ?", [cursor, w.id])
        if page.server_offset_s is not None and out.server_offset_s is None:
            out.server_offset_s = page.server_offset_s
            con.execute("INSERT OR REPLACE INTO broker_clocks VALUES (?, ?, ?)",
                        [out.broker, page.server_offset_s, store_now()])
        _save_progress(con, job.run_id, job.seq, out, f"{out.added:,} new bars")


def _finish_window(job: _Job, w: Window) -> None:
    """Drop a finished window; for older history, remember that the source was asked back to its start."""
    with job.store.session() as con:
        con.execute("DELETE FROM download_windows WHERE id = ?", [w.id])
        if w.kind == "older":
            served = _served_since(con, job.key, job.source.name)
            con.execute("INSERT OR REPLACE INTO download_floors VALUES (?, ?, ?, ?, ?)",
                        [*job.key, job.source.name, min(w.lo, served) if served else w.lo])


async def _download_window(job: _Job, w: Window, windows: list[Window], live: dict[str, datetime]) -> None:
    out = job.out
    step = timedelta(seconds=TIMEFRAME_SECONDS[out.timeframe])
    closed_before = job.now - step + _TICK  # a bar opening later than now - step has not closed yet
    async for page in job.source.pages(out.symbol, out.timeframe, w.lo, w.hi):
        out.pages += 1
        out.retries += page.retries
        if page.frame.empty:
            break
        first = page.frame["ts"].iloc[0].to_pydatetime()
        cursor = first - _TICK
        _commit(job, w, _page_rows(page, w, closed_before), cursor, page)
        live[w.id] = max(cursor, w.lo)
        out.fraction = _fraction(windows, live)
        job.report()
        if first <= w.lo:
            break
        if job.should_cancel():
            raise RunCancelled("download cancelled; every page fetched so far is kept, run it again to resume")
    _finish_window(job, w)
    live[w.id] = w.lo


async def _download_series(job: _Job) -> None:
    out = job.out
    out.status = "running"
    windows = plan_windows(job.store, job.key, job.source.name, job.since, job.now)
    out.windows = [{"kind": w.kind, "lo": _iso(w.lo), "hi": _iso(w.hi)} for w in windows]
    live: dict[str, datetime] = {}
    for w in windows:
        if job.should_cancel():
            raise RunCancelled("download cancelled; every page fetched so far is kept, run it again to resume")
        await _download_window(job, w, windows, live)
    out.status, out.fraction = "done", 1.0
    with job.store.session() as con:
        out.first, out.last = map(_iso, _extent(con, *job.key))
        _save_progress(con, job.run_id, job.seq, out, f"{out.added:,} new bars")
    job.report()


async def _guarded(job: _Job, gate: asyncio.Semaphore) -> None:
    async with gate:
        try:
            await _download_series(job)
        except (SourceAuthError, RunCancelled):
            raise
        except SourceError as err:  # this series alone fails (unknown symbol, unreachable, bad file)
            job.out.status, job.out.error = "failed", str(err)
            with job.store.session() as con:
                _save_progress(con, job.run_id, job.seq, job.out, str(err))
            job.report()


# --- the whole download ---------------------------------------------------------------------------

@dataclass
class DownloadRequest:
    """What to download: symbols x timeframes back to `since`, from a source through a broker."""

    symbols: list[str]
    timeframes: list[str]
    since: datetime
    source: str = "metaapi"
    broker: str | None = None
    deploy: bool = False
    seed: int = 0
    """Seeds the retry jitter (the synthetic source always serves the demo's seed-7 market)."""

    def to_params(self) -> dict[str, Any]:
        """JSON-ready run params (no secrets: the token is read by the worker itself)."""
        return asdict(self) | {"since": self.since.isoformat()}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> DownloadRequest:
        """Rebuild a request from run params."""
        return cls(**(params | {"since": parse_since(params["since"])}))


def resolve_broker(request: DownloadRequest, settings: Settings) -> str:
    """The broker a download stores under: the named one, `demo` for the synthetic source, else the default."""
    if request.broker is None and request.source == "synthetic":
        return SYNTHETIC_BROKER
    return settings.broker(request.broker)[0]


def download(store: Any, request: DownloadRequest, settings: Settings | None = None, clock: Clock | None = None,
             on_progress: Progress | None = None, should_cancel: Callable[[], bool] | None = None,
             run_id: str | None = None, source: Source | None = None,
             on_event: Callable[[str, str], None] | None = None) -> dict[str, Any]:
    """Download what the store lacks for every requested series, then each symbol's broker specification
    where the source has one; return a summary per series, the specs stored, warnings and totals."""
    settings = settings or load_settings()
    if not request.symbols or not request.timeframes:
        raise KinetraError("name at least one symbol and one timeframe (or use --plan)")
    broker = resolve_broker(request, settings)
    timeframes = [parse_timeframe(tf) for tf in request.timeframes]
    now = utc_naive((clock or SystemClock()).now())
    since = utc_naive(request.since)
    if since >= now:
        raise KinetraError(f"--since {since:%Y-%m-%d} is not in the past")
    started = time.monotonic()
    outcomes = [SeriesOutcome(broker, sym, tf) for sym in request.symbols for tf in timeframes]
    report = on_progress or (lambda f, m: None)
    cancel = should_cancel or (lambda: False)
    warnings: list[str] = []
    specs: dict[str, dict[str, Any]] = {}

    def warn(message: str) -> None:
        warnings.append(message)
        if on_event is not None:
            on_event(message, "warning")

    def overall() -> None:
        done = sum(o.fraction for o in outcomes) / len(outcomes)
        busy = [o for o in outcomes if o.status == "running"]
        note = ", ".join(f"{o.symbol} {o.timeframe} {o.added:,}" for o in busy[:3]) or "finishing"
        report(min(done, 0.999), note)

    async def main() -> None:
        src = source or open_source(request.source, settings, broker, deploy=request.deploy, jitter_seed=request.seed,
                                    should_cancel=cancel)
        try:
            gate = asyncio.Semaphore(settings.download.concurrency)
            jobs = [_Job(store, src, settings, run_id, i, now, since, cancel, o, overall) for i, o in enumerate(outcomes)]
            with store.session() as con:
                for job in jobs:
                    _save_progress(con, run_id, job.seq, job.out, "queued")
            async with asyncio.TaskGroup() as group:
                for job in jobs:
                    group.create_task(_guarded(job, gate))
            done = list(dict.fromkeys(o.symbol for o in outcomes if o.status == "done"))
            specs.update(await _store_specs(store, src, broker, done, warn))
        finally:
            await src.close()

    try:
        asyncio.run(main())
    except BaseExceptionGroup as group:  # TaskGroup wraps; a person needs the first real error, alone
        raise _first_leaf(group) from None
    failed = [o for o in outcomes if o.status == "failed"]
    if failed and len(failed) == len(outcomes):
        raise SourceError(f"nothing downloaded: {failed[0].symbol} {failed[0].timeframe}: {failed[0].error}")
    report(1.0, "done")
    return {
        "source": request.source, "broker": broker, "since": _iso(since),
        "series": [asdict(o) for o in outcomes], "specs": specs, "warnings": warnings,
        "totals": {"added": sum(o.added for o in outcomes), "pages": sum(o.pages for o in outcomes),
                   "retries": sum(o.retries for o in outcomes), "failed": len(failed),
                   "seconds": round(time.monotonic() - started, 3)},
    }


# --- the brokers' symbol specifications -----------------------------------------------------------

async def _store_specs(store: Any, source: Source, broker: str, symbols: list[str],
                       warn: Callable[[str], None]) -> dict[str, dict[str, Any]]:
    """Fetch and store each symbol's broker specification; failures warn once per reason, never fail."""
    stored: dict[str, dict[str, Any]] = {}
    failed: dict[str, list[str]] = {}
    for symbol in symbols:
        try:
            spec = await source.specification(symbol)
        except SourceError as err:  # the bars are in; backtests fall back to the shipped/user specs
            failed.setdefault(str(err), []).append(symbol)
            continue
        if spec is not None:
            save_spec(store, broker, symbol, source.name, spec, store_now())
            stored[symbol] = {"fields": sorted(spec.values), "notes": spec.notes}
    for reason, names in failed.items():
        warn(f"no broker specification for {', '.join(names)} ({reason}); backtests use the shipped and user specs")
    return stored


def _first_leaf(group: BaseExceptionGroup) -> BaseException:
    """The first exception inside (nested) exception groups, preferring auth errors and cancels."""
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop(0)
        if isinstance(exc, BaseExceptionGroup):
            stack[:0] = list(exc.exceptions)
        else:
            leaves.append(exc)
    for kind in (SourceAuthError, RunCancelled):
        for exc in leaves:
            if isinstance(exc, kind):
                return exc
    return leaves[0]


def plan_request(settings: Settings, clock: Clock | None = None) -> DownloadRequest:
    """The configured universe (`[universe]`) as one download request."""
    uni = settings.universe
    symbols = [s for group in uni.symbols.values() for s in group]
    if not symbols:
        raise KinetraError("the universe lists no symbols: add [universe.symbols] to kinetra.toml")
    now = utc_naive((clock or SystemClock()).now())
    since = (now - timedelta(days=uni.history_days)).replace(hour=0, minute=0, second=0, microsecond=0)
    return DownloadRequest(symbols=symbols, timeframes=list(uni.timeframes), since=since, source=uni.source,
                           broker=uni.broker)


def download_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `download`: download with progress, cancel and per-series progress rows."""
    request = DownloadRequest.from_params(params)
    return download(ctx.store, request, on_progress=ctx.progress, should_cancel=ctx.should_cancel, run_id=ctx.run_id,
                    on_event=ctx.event)

