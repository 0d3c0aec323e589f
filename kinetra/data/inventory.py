"""Read-side views of the store: which series exist, their bars, and a summary for Home."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from kinetra.data.timeframes import parse_timeframe
from kinetra.errors import UnknownSeriesError


@dataclass(frozen=True)
class SeriesInfo:
    """One stored series with its extent."""

    id: int
    broker: str
    symbol: str
    timeframe: str
    asset_class: str
    source: str
    is_demo: bool
    bars: int
    first: datetime | None
    last: datetime | None
    revisions: int

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data (times ISO 8601 UTC)."""
        out = asdict(self)
        for key in ("first", "last"):
            out[key] = out[key].isoformat() + "Z" if out[key] else None
        return out


_LIST_SQL = """
SELECT s.id, s.broker, s.symbol, s.timeframe, s.asset_class, s.source, s.is_demo,
       coalesce(b.n, 0), b.first, b.last, coalesce(r.n, 0)
FROM series s
LEFT JOIN (SELECT series_id, count(*) n, min(ts) first, max(ts) last FROM bars GROUP BY series_id) b
       ON b.series_id = s.id
LEFT JOIN (SELECT series_id, count(*) n FROM bar_revisions GROUP BY series_id) r ON r.series_id = s.id
ORDER BY s.symbol, s.timeframe, s.broker
"""


def list_series(store: Any) -> list[SeriesInfo]:
    """Return every stored series with bar counts and first/last bar times."""
    with store.session() as con:
        rows = con.execute(_LIST_SQL).fetchall()
    return [SeriesInfo(*row) for row in rows]


def find_series(store: Any, symbol: str, timeframe: str, broker: str | None = None) -> SeriesInfo:
    """Return one series by symbol and timeframe (case-insensitive), or raise UnknownSeriesError."""
    tf = parse_timeframe(timeframe)
    matches = [
        s for s in list_series(store)
        if s.symbol.upper() == symbol.upper() and s.timeframe == tf and (broker is None or s.broker == broker)
    ]
    if not matches:
        raise UnknownSeriesError(f"no series {symbol} {tf}" + (f" from {broker}" if broker else "") +
                                 " in the store (see `kinetra data list`)")
    if len(matches) > 1:
        brokers = ", ".join(s.broker for s in matches)
        raise UnknownSeriesError(f"{symbol} {tf} is held from several brokers ({brokers}); pass --broker")
    return matches[0]


def _utc_naive(at: datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(at)
    return stamp if stamp.tzinfo is None else stamp.tz_convert("UTC").tz_localize(None)


def load_bars(store: Any, series_id: int, start: datetime | None = None, end: datetime | None = None,
              limit: int | None = None, latest: bool = False) -> pd.DataFrame:
    """Return bars of a series indexed by UTC time; `latest` with `limit` gives the last N bars."""
    where, args = ["series_id = ?"], [series_id]
    for op, bound in ((">=", start), ("<=", end)):
        if bound is not None:
            where.append(f"ts {op} ?")
            args.append(_utc_naive(bound))
    order = "DESC" if latest else "ASC"
    tail = f" LIMIT {int(limit)}" if limit else ""
    sql = (f"SELECT ts, open, high, low, close, tick_volume, volume, spread FROM bars"
           f" WHERE {' AND '.join(where)} ORDER BY ts {order}{tail}")
    with store.session() as con:
        frame = con.execute(sql, args).df()
    frame = frame.sort_values("ts") if latest else frame
    frame["ts"] = pd.to_datetime(frame["ts"]).dt.tz_localize("UTC")
    return frame.set_index("ts").rename_axis("time")


def summary(store: Any) -> dict[str, Any]:
    """Return store totals for Home: series, bars, symbols, revisions, demo share, last bar."""
    with store.session() as con:
        series, demo = con.execute("SELECT count(*), count(*) FILTER (WHERE is_demo) FROM series").fetchall()[0]
        bars, last = con.execute("SELECT count(*), max(ts) FROM bars").fetchall()[0]
        symbols = con.execute("SELECT count(DISTINCT symbol) FROM series").fetchall()[0][0]
        revisions = con.execute("SELECT count(*) FROM bar_revisions").fetchall()[0][0]
    return {
        "series": int(series), "demo_series": int(demo), "bars": int(bars), "symbols": int(symbols),
        "revisions": int(revisions), "last_bar": last.isoformat() + "Z" if last else None,
    }
