"""The store: one DuckDB file, every access a short transaction under a cross-process file lock.

The file is attached only for the length of a session, so DuckDB's own single-writer file lock is
free for other processes in between; a `filelock` serialises the sessions of all processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import threading
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from kinetra.errors import StoreBusyError, StoreError
from kinetra.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["Store", "SCHEMA_VERSION", "open_store"]


class Store:
    """Handle on a store file; holds no connection between accesses."""

    def __init__(self, path: str | Path, lock_timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock_timeout = lock_timeout
        self._lock = FileLock(str(self.path) + ".lock", timeout=lock_timeout, thread_local=False)
        self._threads = threading.RLock()
        self._migrated = False
        self._engine: duckdb.DuckDBPyConnection | None = None
        self._open: duckdb.DuckDBPyConnection | None = None

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection inside one transaction: committed on exit, rolled back on error."""
        with self._threads:
            if self._open is not None:  # nested on this thread: join the open transaction
                yield self._open
                return
            with self._locked():
                yield from self._transaction()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self._lock.acquire(poll_interval=0.01)
        except Timeout:
            raise StoreBusyError(
                f"store {self.path} stayed locked by another process for {self.lock_timeout:.0f} s"
            ) from None
        try:
            yield
        finally:
            self._lock.release()

    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._attach()
        try:
            if not self._migrated:
                migrate(con)
                self._migrated = True
            con.begin()
            self._open = con
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()
        finally:
            self._open = None
            con.execute("USE memory")
            con.execute("DETACH kinetra")

    def _attach(self) -> duckdb.DuckDBPyConnection:
        """Attach the file to this process's in-memory DuckDB (5x cheaper than a new connection)."""
        if self._engine is None:
            self._engine = duckdb.connect(":memory:")
        path = str(self.path).replace("'", "''")
        try:
            self._engine.execute(f"ATTACH '{path}' AS kinetra")
        except duckdb.Error as err:
            raise StoreError(f"cannot open store {self.path}: {err}") from None
        self._engine.execute("USE kinetra")
        return self._engine

    def schema_version(self) -> int:
        """Return the schema version of the file (migrating it first)."""
        with self.session() as con:
            return current_version(con)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the applied schema version, 0 for a new file."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every migration the file lacks, each in its own transaction."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(f"store schema v{version} is newer than this Kinetra (v{SCHEMA_VERSION}); upgrade Kinetra")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        con.begin()
        try:
            con.execute(MIGRATIONS[number - 1])
            con.execute("INSERT INTO schema_version VALUES (?)", [number])
            con.commit()
        except duckdb.Error as err:
            con.rollback()
            raise StoreError(f"migration {number} failed: {err}") from None


def open_store(settings: object | None = None) -> Store:
    """Open the store of the current KINETRA_HOME with the configured lock timeout."""
    from kinetra.config import Settings, load_settings
    from kinetra.paths import store_path

    cfg = settings if isinstance(settings, Settings) else load_settings()
    return Store(store_path(), lock_timeout=cfg.store.lock_timeout_seconds)
