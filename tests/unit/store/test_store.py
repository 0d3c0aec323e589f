"""Store: migrations on open, transactions, and many processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from kinetra.errors import StoreBusyError, StoreError
from kinetra.store import SCHEMA_VERSION, Store
from kinetra.store.schema import MIGRATIONS


def test_a_new_store_is_migrated_to_the_current_schema(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    with store.session() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"series", "bars", "bar_revisions", "ingests", "runs", "run_events", "schema_version"} <= tables


def test_migrations_apply_only_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).schema_version()
    extra = "CREATE TABLE extra_v2 (x INTEGER);"
    monkeypatch.setattr("kinetra.store.MIGRATIONS", [*MIGRATIONS, extra])
    monkeypatch.setattr("kinetra.store.SCHEMA_VERSION", len(MIGRATIONS) + 1)
    assert Store(path).schema_version() == len(MIGRATIONS) + 1
    with Store(path).session() as con:
        assert con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] == len(MIGRATIONS) + 1


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).schema_version()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION + 5])
    con.close()
    with pytest.raises(StoreError, match="newer than this Kinetra"):
        Store(path).schema_version()


def test_an_error_inside_a_session_rolls_everything_back(store: Store) -> None:
    with pytest.raises(ZeroDivisionError):
        with store.session() as con:
            con.execute("INSERT INTO run_events VALUES ('r', 1, now()::TIMESTAMP, 'info', 'x')")
            1 / 0
    with store.session() as con:
        assert con.execute("SELECT count(*) FROM run_events").fetchall()[0][0] == 0


def test_a_lock_held_elsewhere_times_out_with_a_clear_error(store: Store) -> None:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from filelock import FileLock
        with FileLock({str(store.path) + '.lock'!r}):
            print('held', flush=True)
            time.sleep(5)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusyError, match="stayed locked"):
            with Store(store.path, lock_timeout=0.3).session():
                pass
    finally:
        holder.kill()
        holder.wait()


WRITER = textwrap.dedent("""
    import json, sys, time
    from kinetra.store import Store
    store = Store(sys.argv[1], lock_timeout=30)
    me, seconds = int(sys.argv[2]), float(sys.argv[3])
    written, reads, errors = 0, 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with store.session() as con:
                con.execute("INSERT INTO run_events VALUES (?, ?, now()::TIMESTAMP, 'info', 'stress')",
                            [f"p{me}", written + 1])
            written += 1
            with store.session() as con:
                mine = con.execute("SELECT count(*) FROM run_events WHERE run_id = ?", [f"p{me}"]).fetchall()[0][0]
            reads += 1
            if mine != written:
                errors.append(f"read {mine} rows, wrote {written}")
        except Exception as err:
            errors.append(repr(err))
    print(json.dumps({"written": written, "reads": reads, "errors": errors[:5], "n_errors": len(errors)}))
""")


@pytest.mark.slow
def test_four_processes_reading_and_writing_for_ten_seconds_lose_nothing(store: Store) -> None:
    store.schema_version()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(store.path), str(i), "10"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert [r["n_errors"] for r in results] == [0, 0, 0, 0], [r["errors"] for r in results]
    assert all(r["written"] > 10 and r["reads"] == r["written"] for r in results)
    with store.session() as con:
        per_proc = dict(con.execute("SELECT run_id, count(*) FROM run_events GROUP BY run_id").fetchall())
        dupes = con.execute("SELECT count(*) - count(DISTINCT (run_id, seq)) FROM run_events").fetchall()[0][0]
    assert per_proc == {f"p{i}": r["written"] for i, r in enumerate(results)}
    assert dupes == 0
