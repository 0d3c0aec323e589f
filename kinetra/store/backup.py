"""Backup and restore: every table to Parquet in one consistent transaction, plus a checksummed manifest.

A restore verifies the whole backup (checksums, row counts, schema version) before it touches
the store, then replaces every table in one transaction: a damaged or mismatched backup is
refused and the store stays exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from kinetra import __version__
from kinetra.errors import KinetraError
from kinetra.runs.records import now
from kinetra.store import SCHEMA_VERSION, current_version

MANIFEST = "manifest.json"
SEQUENCES = ("series_id_seq", "ingest_id_seq", "health_scan_seq")
USER_FILES = ("kinetra.toml", "jobs.yaml")  # never secrets.toml


class BackupError(KinetraError):
    """A backup cannot be written, or a restore source is damaged or does not fit this store."""

    exit_code = 3


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables(con: Any) -> list[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'kinetra'"
                       " AND table_schema = 'main' ORDER BY table_name").fetchall()
    return [r[0] for r in rows]


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def default_dest(home: Path, at: datetime | None = None) -> Path:
    """`$KINETRA_HOME/backups/kinetra-YYYYmmdd-HHMMSS`."""
    return home / "backups" / f"kinetra-{(at or now()):%Y%m%d-%H%M%S}"


def backup(store: Any, dest: str | Path | None = None, keep: int | None = None) -> dict[str, Any]:
    """Write a consistent snapshot of the store to `dest`; return the manifest (with `path` and `rows`)."""
    home = store.path.parent
    target = Path(dest).expanduser() if dest else default_dest(home)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; name a new folder")
    target.mkdir(parents=True, exist_ok=True)
    tables: dict[str, dict[str, Any]] = {}
    with store.session() as con:  # one transaction: every table as of the same instant
        version = current_version(con)
        for table in _tables(con):
            if table == "schema_version":
                continue
            file = target / f"{table}.parquet"
            con.execute(f"COPY (SELECT * FROM {table}) TO '{_quote(file)}' (FORMAT parquet)")
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            tables[table] = {"file": file.name, "rows": int(rows)}
        sequences = {s: _seq_value(con, s) for s in SEQUENCES}
    for meta in tables.values():
        meta["sha256"] = _sha256(target / meta["file"])
    copied = []
    for name in USER_FILES:
        if (home / name).exists():
            shutil.copy2(home / name, target / name)
            copied.append({"file": name, "sha256": _sha256(target / name)})
    manifest = {"format": 1, "schema_version": version, "kinetra_version": __version__,
                "created_at": now().isoformat() + "Z", "tables": tables, "sequences": sequences, "files": copied}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if keep:
        _prune(target.parent, keep)
    return manifest | {"path": str(target), "rows": sum(t["rows"] for t in tables.values())}


def _seq_value(con: Any, sequence: str) -> int:
    """The last value a sequence handed out (0 if none), as DuckDB persists it."""
    row = con.execute("SELECT coalesce(last_value, 0), start_value FROM duckdb_sequences()"
                      " WHERE database_name = 'kinetra' AND sequence_name = ?", [sequence]).fetchall()
    return max(int(row[0][0]), int(row[0][1]) - 1) if row else 0


def _prune(folder: Path, keep: int) -> None:
    """Keep the newest `keep` backups made here (by name, which is their time)."""
    made = sorted(p for p in folder.glob("kinetra-*") if (p / MANIFEST).exists())
    for old in made[:-keep]:
        shutil.rmtree(old)


def verify(src: str | Path) -> dict[str, Any]:
    """Check a backup's manifest, files and checksums; return the manifest or raise BackupError."""
    folder = Path(src).expanduser()
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder}: no {MANIFEST}; not a Kinetra backup")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        tables = manifest["tables"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise BackupError(f"{path}: damaged manifest") from None
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise BackupError(f"{folder}: backup has schema v{manifest.get('schema_version')}, this Kinetra has "
                          f"v{SCHEMA_VERSION}; restore it with the Kinetra version that wrote it")
    for table, meta in tables.items():
        file = folder / meta["file"]
        if not file.exists():
            raise BackupError(f"{folder}: {meta['file']} is missing")
        if _sha256(file) != meta["sha256"]:
            raise BackupError(f"{folder}: {meta['file']} is damaged (checksum mismatch)")
    return manifest


def restore(store: Any, src: str | Path) -> dict[str, Any]:
    """Replace the store's contents with a verified backup, in one transaction; return what was restored."""
    folder = Path(src).expanduser()
    manifest = verify(folder)
    restored = {}
    with store.session() as con:
        present = set(_tables(con)) - {"schema_version"}
        if set(manifest["tables"]) != present:
            missing = sorted(present ^ set(manifest["tables"]))
            raise BackupError(f"{folder}: tables do not match this store ({', '.join(missing)})")
        for table, meta in manifest["tables"].items():
            file = _quote(folder / meta["file"])
            count = con.execute(f"SELECT count(*) FROM read_parquet('{file}')").fetchall()[0][0]
            if count != meta["rows"]:
                raise BackupError(f"{folder}: {meta['file']} holds {count} rows, the manifest says {meta['rows']}")
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM read_parquet('{file}')")
            restored[table] = count
        for sequence, value in manifest.get("sequences", {}).items():
            current = _seq_value(con, sequence)
            if value > current:
                con.execute(f"SELECT max(nextval('{sequence}')) FROM range({value - current})").fetchall()
    return {"path": str(folder), "tables": restored, "rows": sum(restored.values())}


def backup_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `backup`: snapshot the store (optionally keeping only the newest N backups)."""
    ctx.progress(0.1, "writing backup")
    result = backup(ctx.store, params.get("dest"), params.get("keep"))
    ctx.progress(1.0, "done")
    return {"path": result["path"], "rows": result["rows"], "tables": len(result["tables"])}
