"""Gap fill: the series' own source is asked for exactly the reported gaps; what it lacks is confirmed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kinetra.clock import FrozenClock
from kinetra.data.demo import seed_demo
from kinetra.data.gapfill import fill_gaps
from kinetra.data.health.scan import scan_store
from kinetra.data.ingest import import_files
from kinetra.store import Store
from tests.support.mt5 import make_bars, write_mt5

NOW = FrozenClock(datetime(2026, 11, 20, 23, 30, tzinfo=UTC))


def by_key(reports: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["symbol"], r["timeframe"]): r for r in reports}


def test_the_demo_gap_is_confirmed_by_its_source_and_stops_costing_score(store: Store) -> None:
    seed_demo(store, seed=7)
    before = by_key(scan_store(store, clock=NOW))[("XAUUSD", "H1")]
    assert len(before["gaps"]) == 1 and before["score"] < 100
    result = fill_gaps(store, "XAUUSD", "H1", clock=NOW)
    assert [(g["start"], g["filled_bars"], g["confirmed_by_source"]) for g in result["gaps"]] == [
        (before["gaps"][0]["start"], 0, True)]
    after = by_key(scan_store(store, clock=NOW))[("XAUUSD", "H1")]
    assert after["gaps"] == [] and after["score"] == 100
    assert after["confirmed_gaps"] == [before["gaps"][0] | {"confirmed_by_source": "synthetic"}]
    again = fill_gaps(store, "XAUUSD", "H1", clock=NOW)
    assert again["totals"]["gaps"] == 0  # a confirmed gap is not asked for again


def test_a_hole_the_export_now_holds_is_filled_from_the_file(store: Store, tmp_path: Path) -> None:
    bars = make_bars(3000, start="2025-03-03 00:00")
    weekdays = bars[bars["time"].dt.day_of_week < 5].reset_index(drop=True)
    path = tmp_path / "EURUSD_H1_202503030000_202507010000.csv"
    holed = weekdays.drop(range(1000, 1006))
    write_mt5(path, holed)
    import_files([path], store)
    (rep,) = scan_store(store, clock=NOW)
    assert [g["missing_bars"] for g in rep["gaps"]] == [6]
    write_mt5(path, weekdays)  # a fresh export with the hole filled, at the same place
    result = fill_gaps(store, clock=NOW)
    assert [(g["filled_bars"], g["confirmed_by_source"]) for g in result["gaps"]] == [(6, False)]
    (after,) = scan_store(store, clock=NOW)
    assert after["gaps"] == [] and after["confirmed_gaps"] == []
