"""Write prepared bars into the store: idempotent, all-or-nothing, never overwriting a stored bar."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kinetra.data.bars_frame import BAR_COLUMNS, PreparedSeries
from kinetra.runs.records import now


@dataclass
class SeriesReport:
    """What one ingest did to one series."""

    origin: str
    broker: str
    symbol: str
    timeframe: str
    asset_class: str
    rows: int
    added: int
    present: int
    revised: int
    rejected: int
    rejected_rows: list[dict]
    first: str | None
    last: str | None


def _series_id(con: Any, item: PreparedSeries) -> int:
    row = con.execute(
        "SELECT id FROM series WHERE broker = ? AND symbol = ? AND timeframe = ?",
        [item.broker, item.symbol, item.timeframe],
    ).fetchall()
    if row:
        return int(row[0][0])
    return int(con.execute(
        "INSERT INTO series (broker, symbol, timeframe, asset_class, source, is_demo, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [item.broker, item.symbol, item.timeframe, item.asset_class, item.source, item.is_demo, now()],
    ).fetchall()[0][0])


_SAME = " AND ".join(f"b.{c} IS NOT DISTINCT FROM n.{c}" for c in BAR_COLUMNS)
_COLS = ", ".join(BAR_COLUMNS)


def _write_one(con: Any, item: PreparedSeries, run_id: str | None) -> SeriesReport:
    series_id = _series_id(con, item)
    ingest_id = int(con.execute("SELECT nextval('ingest_id_seq')").fetchall()[0][0])
    con.register("incoming", item.frame)
    present = con.execute(
        f"SELECT count(*) FROM incoming n JOIN bars b ON b.series_id = ? AND b.ts = n.ts AND {_SAME}", [series_id]
    ).fetchall()[0][0]
    revised = con.execute(
        f"INSERT INTO bar_revisions SELECT ?, n.ts, {', '.join('n.' + c for c in BAR_COLUMNS)}, ?"
        f" FROM incoming n JOIN bars b ON b.series_id = ? AND b.ts = n.ts AND NOT ({_SAME})"
        f" WHERE NOT EXISTS (SELECT 1 FROM bar_revisions b WHERE b.series_id = ? AND b.ts = n.ts AND {_SAME})",
        [series_id, ingest_id, series_id, series_id],
    ).fetchall()[0][0]
    added = con.execute(
        f"INSERT INTO bars SELECT ?, n.ts, {', '.join('n.' + c for c in BAR_COLUMNS)}, ?"
        " FROM incoming n ANTI JOIN (SELECT ts FROM bars WHERE series_id = ?) b ON b.ts = n.ts",
        [series_id, ingest_id, series_id],
    ).fetchall()[0][0]
    con.unregister("incoming")
    rows = len(item.frame)
    con.execute(
        "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [ingest_id, series_id, run_id, item.source, item.origin, added, present, revised, item.rejected_count, now()],
    )
    ts = item.frame["ts"]
    return SeriesReport(
        origin=item.origin, broker=item.broker, symbol=item.symbol, timeframe=item.timeframe,
        asset_class=item.asset_class, rows=rows, added=int(added), present=int(present),
        revised=int(revised), rejected=item.rejected_count, rejected_rows=item.rejected,
        first=ts.iloc[0].isoformat() + "Z" if rows else None, last=ts.iloc[-1].isoformat() + "Z" if rows else None,
    )


def write_series(store: Any, items: list[PreparedSeries], run_id: str | None = None) -> list[SeriesReport]:
    """Write prepared series in one transaction: everything lands or nothing does."""
    with store.session() as con:
        return [_write_one(con, item, run_id) for item in items]


def summarize(series: list[SeriesReport]) -> dict[str, Any]:
    """Return the JSON result of an ingest: per-series counts and totals."""
    totals = {k: sum(getattr(s, k) for s in series) for k in ("rows", "added", "present", "revised", "rejected")}
    return {"series": [asdict(s) for s in series], "totals": totals}
