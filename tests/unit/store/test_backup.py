"""Backup and restore: every table round-trips exactly; a damaged or mismatched backup changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinetra.clock import FrozenClock
from kinetra.data.demo import seed_demo
from kinetra.data.health.scan import scan_store
from kinetra.data.ingest import import_files
from kinetra.store import Store
from kinetra.store.backup import BackupError, backup, restore, verify
from tests.support.mt5 import make_bars, write_mt5


def snapshot(store: Store) -> dict[str, list]:
    with store.session() as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                                            " WHERE table_catalog = 'kinetra' ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Store:
    seed_demo(store, seed=7)
    import_files([write_mt5(tmp_path / "EURJPY_H1_x.csv", make_bars(500))], store, symbol="EURJPY", timeframe="H1")
    scan_store(store, clock=FrozenClock(__import__("datetime").datetime(2026, 11, 21)))
    return store


def test_backup_then_restore_round_trips_every_table_exactly(filled: Store, tmp_path: Path) -> None:
    before = snapshot(filled)
    made = backup(filled, tmp_path / "b1")
    assert made["rows"] == sum(len(v) for k, v in before.items() if k != "schema_version")
    import_files([write_mt5(tmp_path / "GBPJPY_H1_x.csv", make_bars(50, seed=3))], filled,
                 symbol="GBPJPY", timeframe="H1")
    assert snapshot(filled) != before
    restore(filled, tmp_path / "b1")
    assert snapshot(filled) == before
    again = import_files([tmp_path / "GBPJPY_H1_x.csv"], filled, symbol="GBPJPY", timeframe="H1")
    assert again["totals"]["added"] == 50  # sequences moved on: new ids do not collide with restored ones


def test_a_damaged_backup_is_refused_and_the_store_is_untouched(filled: Store, tmp_path: Path) -> None:
    backup(filled, tmp_path / "b")
    bars = tmp_path / "b" / "bars.parquet"
    data = bytearray(bars.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bars.write_bytes(bytes(data))
    before = snapshot(filled)
    with pytest.raises(BackupError, match="bars.parquet is damaged"):
        restore(filled, tmp_path / "b")
    assert snapshot(filled) == before


def test_a_backup_of_another_schema_or_no_backup_is_refused(filled: Store, tmp_path: Path) -> None:
    backup(filled, tmp_path / "b")
    manifest = tmp_path / "b" / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(data | {"schema_version": 1}))
    with pytest.raises(BackupError, match="schema v1"):
        verify(tmp_path / "b")
    with pytest.raises(BackupError, match="not a Kinetra backup"):
        restore(filled, tmp_path)
    with pytest.raises(BackupError, match="not empty"):
        backup(filled, tmp_path / "b")


def test_keep_prunes_to_the_newest_backups(filled: Store, tmp_path: Path) -> None:
    root = filled.path.parent / "backups"
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        backup(filled, root / f"kinetra-{stamp}")
    backup(filled, root / "kinetra-20260104-000000", keep=2)
    assert sorted(p.name for p in root.iterdir()) == ["kinetra-20260103-000000", "kinetra-20260104-000000"]
