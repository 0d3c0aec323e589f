"""Cross-timeframe consistency and revisions in health reports: found exactly, nothing else flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from kinetra.clock import FrozenClock
from kinetra.data.bars_frame import BAR_COLUMNS, PreparedSeries
from kinetra.data.health.cross_tf import finer_partner
from kinetra.data.health.scan import scan_store
from kinetra.data.ingest import import_files
from kinetra.data.synthetic import DEMO_SYMBOLS, generate_bars
from kinetra.data.writer import write_series
from kinetra.store import Store
from tests.support.mt5 import make_bars, write_mt5

NOW = FrozenClock(datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
START, END = pd.Timestamp("2026-06-01", tz="UTC"), pd.Timestamp("2026-09-01", tz="UTC")


def _prepared(symbol: str, tf: str, bars: pd.DataFrame, broker: str = "demo") -> PreparedSeries:
    frame = bars.reset_index().rename(columns={"time": "ts"})
    frame["ts"] = frame["ts"].dt.tz_convert("UTC").dt.tz_localize(None)
    return PreparedSeries(broker, symbol, tf, "metals", "synthetic", "test", frame[["ts", *BAR_COLUMNS]])


def _scan(store: Store, h1: pd.DataFrame, h4: pd.DataFrame) -> dict[str, dict]:
    write_series(store, [_prepared("XAUUSD", "H1", h1), _prepared("XAUUSD", "H4", h4)])
    return {r["timeframe"]: r for r in scan_store(store, clock=NOW)}


@pytest.fixture(scope="module")
def gold() -> tuple[pd.DataFrame, pd.DataFrame]:
    sym = next(s for s in DEMO_SYMBOLS if s.symbol == "XAUUSD")
    return generate_bars(sym, "H1", START, END, seed=3), generate_bars(sym, "H4", START, END, seed=3)


def test_the_finest_timeframe_that_tiles_is_the_partner() -> None:
    held = {"M15": 900, "H1": 3600, "H4": 14400, "M20": 1200}
    assert finer_partner(14400, held) == "H1"
    assert finer_partner(3600, held) == "M20"
    assert finer_partner(900, held) is None


def test_consistent_timeframes_raise_nothing(tmp_path: Path, gold) -> None:
    reports = _scan(Store(tmp_path / "k.duckdb"), *gold)
    assert [i for r in reports.values() for i in r["issues"]] == []
    assert reports["H4"]["breakdown"]["cross_timeframe"]["penalty"] == 0


def test_a_tampered_h4_bar_is_flagged_exactly_once(tmp_path: Path, gold) -> None:
    h1, h4 = gold
    h4 = h4.copy()
    at = h4.index[200]
    h4.loc[at, "high"] = h4.loc[at, "high"] + 1.0
    reports = _scan(Store(tmp_path / "k.duckdb"), h1, h4)
    found = reports["H4"]["issues"]
    assert [(i["kind"], i["at"]) for i in found] == [("cross_timeframe", at.strftime("%Y-%m-%dT%H:%M:%SZ"))]
    assert "high" in found[0]["detail"] and "low" not in found[0]["detail"]
    assert reports["H1"]["issues"] == []
    assert reports["H4"]["breakdown"]["cross_timeframe"]["penalty"] > 0


def test_a_gap_in_the_finer_series_is_not_a_mismatch(tmp_path: Path, gold) -> None:
    h1, h4 = gold
    holed = h1.drop(h1.index[300:302])  # two H1 bars missing inside one or two H4 buckets
    reports = _scan(Store(tmp_path / "k.duckdb"), holed, h4)
    assert [g["missing_bars"] for g in reports["H1"]["gaps"]] == [2]
    assert reports["H4"]["issues"] == []


def test_a_conflicting_redelivery_is_listed_as_a_revision(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.duckdb")
    bars = make_bars(2000)
    write_mt5(tmp_path / "EURUSD_H1_a.csv", bars)
    import_files([tmp_path / "EURUSD_H1_a.csv"], store, symbol="EURUSD", timeframe="H1")
    changed = bars.copy()
    changed.loc[1500, "close"] = changed.loc[1500, "close"] + 0.0001
    changed.loc[1500, "high"] = max(changed.loc[1500, "high"], changed.loc[1500, "close"])
    write_mt5(tmp_path / "EURUSD_H1_b.csv", changed)
    import_files([tmp_path / "EURUSD_H1_b.csv"], store, symbol="EURUSD", timeframe="H1")
    (rep,) = scan_store(store, clock=NOW)
    revisions = [i for i in rep["issues"] if i["kind"] == "revision"]
    assert [i["at"] for i in revisions] == [bars.loc[1500, "time"].strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert f"C {bars.loc[1500, 'close']:g} kept" in revisions[0]["detail"]
    assert rep["breakdown"]["revisions"]["penalty"] > 0
