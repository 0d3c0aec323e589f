"""Scan series for health: calendar gaps, holidays, bar checks, freshness, score; stored per scan."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from kinetra.clock import Clock, SystemClock, utc_naive
from kinetra.config import HealthConfig, Settings, load_settings
from kinetra.data.bars_frame import modal_spacing
from kinetra.data.health import checks, cross_tf
from kinetra.data.health.holidays import DAY, holiday_dates, holiday_pieces, missing_dates
from kinetra.data.health.score import score
from kinetra.data.health.session_calendar import (Calendar, bar_grid, find_gaps, learn_calendar, session_shifts,
                                                  week_slot)
from kinetra.data.inventory import SeriesInfo, list_series
from kinetra.data.timeframes import TIMEFRAME_SECONDS, spacing_matches
from kinetra.errors import RunCancelled, UnknownSeriesError

Progress = Callable[[float, str], None]


@dataclass
class SeriesScan:
    """What one series' bars say about it, before holidays across series are known."""

    info: SeriesInfo
    calendar: Calendar
    expected: int
    gap_starts: np.ndarray
    gap_ends: np.ndarray
    gap_missing: np.ndarray
    gap_shifted: np.ndarray
    issues: list[dict] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)
    last: int = 0


def _iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return (datetime(1970, 1, 1) + timedelta(seconds=int(seconds))).isoformat() + "Z"


def load_arrays(store: Any, series_ids: list[int]) -> dict[int, dict[str, np.ndarray]]:
    """Read series' bars as numpy arrays (times in UTC epoch seconds, in time order), in one transaction."""
    if not series_ids:
        return {}
    with store.session() as con:  # a relation streams into numpy; execute() first materialises (3x slower)
        data = con.sql(
            "SELECT series_id, CAST(epoch(ts) AS BIGINT) AS ts, open, high, low, close, spread FROM bars"
            f" WHERE series_id IN ({', '.join('?' * len(series_ids))})", params=list(series_ids)).fetchnumpy()
    sid, ts = np.asarray(data.pop("series_id")), np.asarray(data["ts"])
    ordered = len(sid) < 2 or bool(np.all((sid[1:] > sid[:-1]) | ((sid[1:] == sid[:-1]) & (ts[1:] >= ts[:-1]))))
    if not ordered:  # rows come in insertion order; sort only when ingests interleaved (cheaper than ORDER BY)
        order = np.lexsort((ts, sid))
        sid, data = sid[order], {k: np.asarray(v)[order] for k, v in data.items()}
    starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]]) if len(sid) else np.zeros(0, dtype=np.intp)
    bounds = np.r_[starts, len(sid)]  # sid is sorted: its runs, found in one pass (np.unique would sort again)
    out = {int(sid[s]): {k: np.asarray(v)[s:e] for k, v in data.items()} for s, e in zip(bounds[:-1], bounds[1:])}
    empty = {k: np.asarray(v)[:0] for k, v in data.items()}
    return {i: out.get(i, empty) for i in series_ids}


def _bar_issues(bars: dict[str, np.ndarray], tf: str, cfg: HealthConfig) -> tuple[list[checks.Issue], dict[str, int]]:
    o, h, lo, c = (np.asarray(bars[k], dtype=np.float64) for k in ("open", "high", "low", "close"))
    found = (checks.time_order(bars["ts"]) + checks.ohlc(o, h, lo, c) + checks.non_positive(o, h, lo, c)
             + checks.spikes(c, cfg.spike_window, cfg.spike_threshold)
             + checks.stale(o, h, lo, c, cfg.stale_min_run)
             + checks.zero_spread(np.asarray(bars["spread"]), cfg.zero_spread_min_run))
    spacing = modal_spacing(bars["ts"], TIMEFRAME_SECONDS[tf])
    if spacing is not None and not spacing_matches(tf, spacing):
        found.append(checks.Issue("timeframe", 0, f"bars are {spacing} s apart, {tf} means {TIMEFRAME_SECONDS[tf]} s"))
    flagged: dict[str, int] = {}
    for issue in found:
        size = int(issue.detail.split()[0]) if issue.kind in ("stale", "zero_spread") else 1
        flagged[issue.kind] = flagged.get(issue.kind, 0) + size
    return found, flagged


def scan_one(info: SeriesInfo, bars: dict[str, np.ndarray], cfg: HealthConfig) -> SeriesScan:
    """Learn the calendar, find gaps and run the bar checks of one series."""
    ts = np.asarray(bars["ts"], dtype=np.int64)
    step = TIMEFRAME_SECONDS[info.timeframe]
    grid = bar_grid(ts, step)
    cal = learn_calendar(ts, step, cfg.occupancy_threshold, grid)
    starts, ends, missing = find_gaps(ts, cal, grid)
    shifted = session_shifts(cal, grid, starts, ends, missing)
    found, flagged = _bar_issues(bars, info.timeframe, cfg)
    issues = [{"kind": i.kind, "at": _iso(ts[i.index]), "detail": i.detail} for i in found]
    return SeriesScan(info, cal, int(cal.open[grid.slots].sum()), starts, ends, missing, shifted, issues, flagged,
                      int(ts[-1]))


def freshness(scan: SeriesScan, now: datetime) -> dict[str, Any]:
    """Age of the last bar, and whether a bar the calendar expected has since closed without arriving."""
    step = scan.calendar.step
    ahead = np.arange(scan.last + step, scan.last + step + 2 * 604800, step, dtype=np.int64)
    open_ahead = ahead[scan.calendar.open[week_slot(ahead, scan.calendar.slot)]]
    next_due = int(open_ahead[0]) if len(open_ahead) else None
    now_s = int((utc_naive(now) - datetime(1970, 1, 1)).total_seconds())
    return {"last_bar": _iso(scan.last), "next_expected": _iso(next_due),
            "age_s": now_s - (scan.last + step), "stale": bool(next_due is not None and now_s >= next_due + step)}


def _split_holidays(scan: SeriesScan, holidays: set[int],
                    confirmed: list[tuple[int, int, str]]) -> dict[str, list[dict]]:
    """Sort gaps into open gaps, holidays (with their early closes and late opens), sessions moved in time, and
    gaps the series' source confirmed it has no bars for."""
    out: dict[str, list[dict]] = {"gaps": [], "holidays": [], "session_shifts": [], "confirmed_gaps": []}
    for *gap, shifted in zip(scan.gap_starts, scan.gap_ends, scan.gap_missing, scan.gap_shifted, strict=True):
        if shifted:
            out["session_shifts"].append({"start": _iso(gap[0]), "end": _iso(gap[1]), "missing_bars": int(gap[2])})
            continue
        for is_holiday, start, end, missing in holiday_pieces(scan.calendar, *map(int, gap), holidays):
            entry = {"start": _iso(start), "end": _iso(end), "missing_bars": int(missing)}
            by = next((src for lo, hi, src in confirmed if lo <= start and end <= hi), None)
            if is_holiday:
                out["holidays"].append(entry)
            elif by is not None:
                out["confirmed_gaps"].append(entry | {"confirmed_by_source": by})
            else:
                out["gaps"].append(entry)
    return out


def report(scan: SeriesScan, holidays: set[int], now: datetime, cfg: HealthConfig,
           confirmed: list[tuple[int, int, str]] | None = None) -> dict[str, Any]:
    """Build the JSON report of one series: score, breakdown, gaps, holidays, issues, freshness.

    Gaps the series' own source confirmed it has no bars for are listed under `confirmed_gaps`
    and cost nothing: the data is as complete as the source can make it. Neither do holidays, nor
    `session_shifts` (a week whose session opened or closed at another hour; see `session_shifts`).
    """
    split = _split_holidays(scan, holidays, confirmed or [])
    gaps = split["gaps"]
    bars = max(scan.info.bars, 1)
    rates = {kind: count / bars for kind, count in scan.flagged.items()}
    rates["gaps"] = sum(g["missing_bars"] for g in gaps) / max(scan.expected, 1)
    rates["revisions"] = scan.info.revisions / bars
    total, breakdown = score(rates, cfg.weights, cfg.tolerances)
    info = scan.info
    return {"series_id": info.id, "broker": info.broker, "symbol": info.symbol, "timeframe": info.timeframe,
            "asset_class": info.asset_class, "bars": info.bars, "score": total, "breakdown": breakdown,
            "gaps": gaps, "confirmed_gaps": split["confirmed_gaps"], "holidays": split["holidays"],
            "session_shifts": split["session_shifts"], "issues": scan.issues, "freshness": freshness(scan, now),
            "occupancy": [round(float(x), 3) for x in scan.calendar.occupancy]}


def _select(held: list[SeriesInfo], symbol: str | None, timeframe: str | None) -> list[SeriesInfo]:
    chosen = [s for s in held
              if (symbol is None or s.symbol.upper() == symbol.upper())
              and (timeframe is None or s.timeframe == timeframe.upper())]
    if not chosen and symbol:
        raise UnknownSeriesError(f"no series {symbol} {timeframe or ''}".rstrip() + " in the store")
    return chosen


def scan_store(store: Any, symbol: str | None = None, timeframe: str | None = None,
               settings: Settings | None = None, clock: Clock | None = None, on_progress: Progress | None = None,
               should_cancel: Callable[[], bool] | None = None, run_id: str | None = None) -> list[dict[str, Any]]:
    """Scan series (all, or one symbol/timeframe), store the scan, and return reports worst first."""
    cfg = (settings or load_settings()).health
    now = (clock or SystemClock()).now()
    progress = on_progress or (lambda f, m: None)
    everything = [s for s in list_series(store) if s.bars]
    chosen = {s.id for s in _select(everything, symbol, timeframe)}
    progress(0.0, f"reading {sum(s.bars for s in everything):,} bars")
    arrays = load_arrays(store, [s.id for s in everything])
    scans = []
    for i, info in enumerate(everything):  # holidays need every series, reports only the chosen ones
        if should_cancel and should_cancel():
            raise RunCancelled("health scan cancelled; nothing stored")
        progress(0.1 + 0.8 * i / max(len(everything), 1), f"scanning {info.symbol} {info.timeframe}")
        scans.append(scan_one(info, arrays[info.id], cfg))
    _cross_timeframe([s for s in scans if s.info.id in chosen], scans, arrays)
    _revisions(store, [s for s in scans if s.info.id in chosen])
    holidays = _holidays(scans, cfg.holiday_share)
    confirmed = _confirmed_gaps(store)
    reports = [report(s, holidays.get((s.info.broker, s.info.asset_class), set()), now, cfg,
                      confirmed.get(s.info.id)) for s in scans if s.info.id in chosen]
    reports.sort(key=lambda r: (r["score"], r["symbol"], r["timeframe"]))
    scan_id = _store(store, reports, run_id, now)
    for rep in reports:
        rep["scan_id"] = scan_id
    progress(1.0, "done")
    return reports


def _confirmed_gaps(store: Any) -> dict[int, list[tuple[int, int, str]]]:
    """Ranges (epoch seconds) each series' source confirmed it has no bars for, by series id."""
    with store.session() as con:
        rows = con.execute("SELECT series_id, CAST(epoch(start_ts) AS BIGINT), CAST(epoch(end_ts) AS BIGINT), source"
                           " FROM confirmed_gaps").fetchall()
    out: dict[int, list[tuple[int, int, str]]] = {}
    for sid, lo, hi, src in rows:
        out.setdefault(sid, []).append((lo, hi, src))
    return out


def _add(scan: SeriesScan, kind: str, found: list[dict]) -> None:
    scan.issues.extend(found)
    if found:
        scan.flagged[kind] = scan.flagged.get(kind, 0) + len(found)


def _cross_timeframe(chosen: list[SeriesScan], scans: list[SeriesScan], arrays: dict[int, dict]) -> None:
    """Compare each chosen series with the finest timeframe of the same broker and symbol that tiles it."""
    by_symbol: dict[tuple[str, str], dict[str, SeriesScan]] = {}
    for s in scans:
        by_symbol.setdefault((s.info.broker, s.info.symbol), {})[s.info.timeframe] = s
    for scan in chosen:
        peers = by_symbol[(scan.info.broker, scan.info.symbol)]
        step = TIMEFRAME_SECONDS[scan.info.timeframe]
        fine_tf = cross_tf.finer_partner(step, {tf: TIMEFRAME_SECONDS[tf] for tf in peers})
        if fine_tf is None:
            continue
        fine = peers[fine_tf]
        coarse = arrays[scan.info.id]
        found = cross_tf.compare(coarse, step, arrays[fine.info.id], fine.calendar, scan.info.timeframe, fine_tf)
        _add(scan, "cross_timeframe", [{"kind": i.kind, "at": _iso(coarse["ts"][i.index]), "detail": i.detail}
                                       for i in found])


def _revisions(store: Any, chosen: list[SeriesScan]) -> None:
    """List the bars a conflicting re-delivery tried to change (kept as revisions, never written over)."""
    ids = [s.info.id for s in chosen if s.info.revisions]
    if not ids:
        return
    with store.session() as con:
        rows = con.execute(
            "SELECT r.series_id, CAST(epoch(r.ts) AS BIGINT), b.open, b.high, b.low, b.close,"
            " r.open, r.high, r.low, r.close FROM bar_revisions r"
            " JOIN bars b ON b.series_id = r.series_id AND b.ts = r.ts"
            f" WHERE r.series_id IN ({', '.join('?' * len(ids))}) ORDER BY r.series_id, r.ts, r.ingest_id", ids,
        ).fetchall()
    found: dict[int, list[dict]] = {}
    for sid, ts, *prices in rows:
        kept, offered = prices[:4], prices[4:]
        detail = "re-delivered as O {:g} H {:g} L {:g} C {:g}; stored O {:g} H {:g} L {:g} C {:g} kept".format(
            *offered, *kept)
        found.setdefault(sid, []).append({"kind": "revision", "at": _iso(ts), "detail": detail})
    for scan in chosen:
        scan.issues.extend(found.get(scan.info.id, []))  # scored through info.revisions, not flagged twice


def _holidays(scans: list[SeriesScan], share: float) -> dict[tuple[str, str], set[int]]:
    """Holiday dates per (broker, asset class): each broker keeps its own calendar."""
    out: dict[tuple[str, str], set[int]] = {}
    for broker in {s.info.broker for s in scans}:
        rows = [(s.info.symbol, s.info.asset_class, (_day(s.info.first), _day(s.info.last)),
                 missing_dates(s.gap_starts[~s.gap_shifted], s.gap_ends[~s.gap_shifted], s.calendar.step))
                for s in scans if s.info.broker == broker]
        out |= {(broker, klass): days for klass, days in holiday_dates(rows, share).items()}
    return out


def _day(stamp: datetime) -> int:
    return int((stamp - datetime(1970, 1, 1)).total_seconds()) // DAY


def _store(store: Any, reports: list[dict[str, Any]], run_id: str | None, now: datetime) -> str:
    scan_id = uuid.uuid4().hex[:10]
    with store.session() as con:
        con.execute("INSERT INTO health_scans (id, run_id, scanned_at) VALUES (?, ?, ?)",
                    [scan_id, run_id, utc_naive(now)])
        con.execute("INSERT INTO health_results SELECT ?, unnest(?), unnest(?), unnest(?)",  # one statement
                    [scan_id, [r["series_id"] for r in reports], [r["score"] for r in reports],
                     [json.dumps(r) for r in reports]])
    return scan_id


def load_scan(store: Any, scan_id: str) -> list[dict[str, Any]]:
    """Return the stored reports of one scan, worst first."""
    with store.session() as con:
        rows = con.execute("SELECT report FROM health_results WHERE scan_id = ? ORDER BY score, series_id",
                           [scan_id]).fetchall()
    return [json.loads(r[0]) | {"scan_id": scan_id} for r in rows]


def latest_reports(store: Any) -> list[dict[str, Any]]:
    """Return each series' most recent report (from whichever scan last covered it), worst first."""
    with store.session() as con:
        rows = con.execute(
            "SELECT r.report, r.scan_id, s.scanned_at FROM health_results r JOIN health_scans s ON s.id = r.scan_id"
            " JOIN series x ON x.id = r.series_id"
            " QUALIFY row_number() OVER (PARTITION BY r.series_id ORDER BY s.seq DESC) = 1"
            " ORDER BY r.score, r.series_id").fetchall()
    return [json.loads(rep) | {"scan_id": scan_id, "scanned_at": at.isoformat() + "Z"} for rep, scan_id, at in rows]


def score_history(store: Any, series_id: int, limit: int = 30) -> list[tuple[datetime, float]]:
    """Return (scanned at, score) of a series' latest scans, oldest first: the score's trend."""
    with store.session() as con:
        rows = con.execute(
            "SELECT s.scanned_at, r.score FROM health_results r JOIN health_scans s ON s.id = r.scan_id"
            " WHERE r.series_id = ? ORDER BY s.seq DESC LIMIT ?", [series_id, limit]).fetchall()
    return list(reversed(rows))


def health_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `health`: scan and store, with progress and cancel."""
    reports = scan_store(ctx.store, params.get("symbol"), params.get("timeframe"), on_progress=ctx.progress,
                         should_cancel=ctx.should_cancel, run_id=ctx.run_id)
    scan_id = reports[0]["scan_id"] if reports else None
    return {"scan_id": scan_id, "series": len(reports),
            "worst": [{"symbol": r["symbol"], "timeframe": r["timeframe"], "score": r["score"]} for r in reports[:5]]}
