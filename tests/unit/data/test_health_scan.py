"""Health scans over a store: exact gaps and issues on the demo, holidays apart from gaps, stored trend."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from kinetra.clock import FrozenClock
from kinetra.data.demo import seed_demo
from kinetra.data.health.scan import latest_reports, load_scan, scan_store, score_history
from kinetra.data.ingest import import_files
from kinetra.errors import UnknownSeriesError
from kinetra.store import Store
from tests.support.mt5 import SHARED_MT5, make_bars, write_mt5

NOW = FrozenClock(datetime(2026, 11, 20, 23, 30, tzinfo=UTC))  # Friday night, after the FX close


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    store = Store(tmp_path_factory.mktemp("health") / "kinetra.duckdb")
    seed_demo(store, seed=7)
    return scan_store(store, clock=NOW)


def _iso(row: bytes) -> str:
    date, time = row.decode().split("\t")[:2]
    return f"{date.replace('.', '-')}T{time}Z"


def by_key(reports: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["symbol"], r["timeframe"]): r for r in reports}


def test_the_demo_gap_and_spike_are_found_and_nothing_else(demo_reports) -> None:
    reports = by_key(demo_reports)
    gold = reports[("XAUUSD", "H1")]
    assert gold["gaps"] == [{"start": "2025-11-26T09:00:00Z", "end": "2025-11-26T13:00:00Z", "missing_bars": 5}]
    assert [i["kind"] for i in reports[("GBPUSD", "H1")]["issues"]] == ["spike"]
    for key, rep in reports.items():
        if key not in {("XAUUSD", "H1"), ("GBPUSD", "H1"), ("GBPUSD", "H4")}:
            assert (rep["gaps"], rep["issues"], rep["holidays"], rep["score"]) == ([], [], [], 100.0), key


def test_reports_are_worst_first_with_a_breakdown_that_adds_up(demo_reports) -> None:
    scores = [r["score"] for r in demo_reports]
    assert scores == sorted(scores) and scores[0] < 100
    for rep in demo_reports:
        assert rep["score"] == round(max(0.0, 100 - sum(b["penalty"] for b in rep["breakdown"].values())), 1)


def test_freshness_knows_when_the_market_was_closed(demo_reports) -> None:
    reports = by_key(demo_reports)
    assert reports[("BTCUSD", "H1")]["freshness"]["stale"] is True   # crypto trades on: 21:00-23:00 missing
    assert reports[("EURUSD", "H4")]["freshness"]["stale"] is False  # FX closed at 22:00, H4 20:00 was the last


def test_scans_are_stored_so_the_trend_is_visible(tmp_path: Path) -> None:
    store = Store(tmp_path / "kinetra.duckdb")
    seed_demo(store, seed=7)
    first = scan_store(store, "XAUUSD", "H1", clock=NOW)
    scan_store(store, "XAUUSD", "H1", clock=NOW)
    assert [r["symbol"] for r in load_scan(store, first[0]["scan_id"])] == ["XAUUSD"]
    history = score_history(store, first[0]["series_id"])
    assert [score for _, score in history] == [first[0]["score"]] * 2
    with pytest.raises(UnknownSeriesError):
        scan_store(store, "NOPE", clock=NOW)


@pytest.mark.skipif(not SHARED_MT5.is_dir(), reason="shared MT5 exports not present")
def test_injected_gaps_in_real_exports_are_found_exactly_over_the_unmodified_report(tmp_path: Path) -> None:
    clean, holed = tmp_path / "clean", tmp_path / "holed"
    shutil.copytree(SHARED_MT5, clean)
    shutil.copytree(SHARED_MT5, holed)
    target = holed / "XAUUSD+_H1_202401020100_202512262300.csv"
    lines = target.read_bytes().split(b"\r\n")
    removed = lines[5000:5004] + lines[9000:9001]  # a run of 4 bars and one lone bar
    del lines[9000:9001]
    del lines[5000:5004]
    target.write_bytes(b"\r\n".join(lines))
    reports = {}
    for name, folder in (("clean", clean), ("holed", holed)):
        store = Store(tmp_path / f"{name}.duckdb")
        import_files([folder], store)
        reports[name] = by_key(scan_store(store, clock=NOW))
    before = {(g["start"], g["end"]) for g in reports["clean"][("XAUUSD+", "H1")]["gaps"]}
    after = {(g["start"], g["end"]) for g in reports["holed"][("XAUUSD+", "H1")]["gaps"]}
    stamps = sorted(_iso(row) for row in removed)
    assert after - before == {(stamps[0], stamps[3]), (stamps[4], stamps[4])}
    forex = reports["clean"][("EURJPY+", "H1")]
    assert forex["gaps"] == [] and {h["start"][:10] for h in forex["holidays"]} == {"2024-12-25", "2025-01-01", "2025-12-25"}


def test_latest_reports_take_each_series_from_its_newest_scan(tmp_path: Path) -> None:
    store = Store(tmp_path / "kinetra.duckdb")
    seed_demo(store, seed=7)
    everything = scan_store(store, clock=NOW)
    newer = scan_store(store, "XAUUSD", "H1", clock=NOW)
    latest = latest_reports(store)
    assert len(latest) == len(everything) == 13
    gold = next(r for r in latest if (r["symbol"], r["timeframe"]) == ("XAUUSD", "H1"))
    assert gold["scan_id"] == newer[0]["scan_id"]
    assert {r["scan_id"] for r in latest} == {everything[0]["scan_id"], newer[0]["scan_id"]}


def fx_hours(start: str, end: str) -> pd.DatetimeIndex:
    """Hourly FX session times: Sunday 22:00 to Friday 21:00 UTC."""
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    day, hour = hours.day_of_week, hours.hour
    return hours[~((day == 5) | ((day == 4) & (hour >= 22)) | ((day == 6) & (hour < 22)))]


def test_holidays_take_their_early_close_and_late_open_and_nothing_more(tmp_path: Path) -> None:
    hours = fx_hours("2024-09-01 22:00", "2025-01-18")
    christmas = (hours >= "2024-12-25") & (hours < "2024-12-26")
    drop = {"EURUSD": christmas | ((hours >= "2024-12-24 21:00") & (hours <= "2024-12-26 00:00")),
            "GBPUSD": christmas | ((hours >= "2024-12-26") & (hours < "2024-12-27")),   # a lost day after it
            "AUDUSD": christmas | ((hours >= "2024-11-13 10:00") & (hours <= "2024-11-13 12:00")),
            "USDJPY": christmas}
    for seed, (symbol, dropped) in enumerate(drop.items()):
        bars = make_bars(len(hours), seed=seed).assign(time=hours, spread=12)
        write_mt5(tmp_path / f"{symbol}_H1.csv", bars[~dropped])
    store = Store(tmp_path / "kinetra.duckdb")
    import_files([tmp_path], store)
    reports = by_key(scan_store(store, clock=NOW))
    day = {"start": "2024-12-25T00:00:00Z", "end": "2024-12-25T23:00:00Z", "missing_bars": 24}
    expect = {"EURUSD": ([], [{"start": "2024-12-24T21:00:00Z", "end": "2024-12-26T00:00:00Z", "missing_bars": 28}]),
              "GBPUSD": ([{"start": "2024-12-26T00:00:00Z", "end": "2024-12-26T23:00:00Z", "missing_bars": 24}], [day]),
              "AUDUSD": ([{"start": "2024-11-13T10:00:00Z", "end": "2024-11-13T12:00:00Z", "missing_bars": 3}], [day]),
              "USDJPY": ([], [day])}
    for symbol, (gaps, holidays) in expect.items():
        rep = reports[(symbol, "H1")]
        assert (rep["asset_class"], rep["gaps"], rep["holidays"]) == ("forex", gaps, holidays), symbol


def test_a_week_whose_session_moved_an_hour_is_a_session_shift_not_a_gap(tmp_path: Path) -> None:
    hours = fx_hours("2024-03-03 22:00", "2024-12-21")  # 42 weeks: two odd ones leave the calendar as it is
    moved = (hours >= "2024-10-27 22:00") & (hours < "2024-11-02")  # that week opens and closes an hour late
    times = hours.where(~moved, hours + pd.Timedelta(hours=1))
    lost = times != pd.Timestamp("2024-11-17 22:00")                 # a lost Sunday open, nothing extra that week
    bars = make_bars(len(times), seed=3).assign(time=times, spread=12)[lost]
    write_mt5(tmp_path / "EURUSD_H1.csv", bars)
    store = Store(tmp_path / "kinetra.duckdb")
    import_files([tmp_path], store)
    rep = by_key(scan_store(store, clock=NOW))[("EURUSD", "H1")]
    assert rep["session_shifts"] == [{"start": "2024-10-27T22:00:00Z", "end": "2024-10-27T22:00:00Z", "missing_bars": 1}]
    assert rep["gaps"] == [{"start": "2024-11-17T22:00:00Z", "end": "2024-11-17T22:00:00Z", "missing_bars": 1}]
