"""Feature cache in the store, keyed by the series' fingerprint and the feature set's version key.

Fingerprint: series id, bar count, last bar time and the highest ingest id among its bars. Bars are
immutable and every ingest that adds bars gets a new ingest id, so any new bar changes the
fingerprint, while reading it costs one aggregate query instead of hashing every bar. The version
key is a digest of the requested names, their resolved parameters and each feature's version, so a
version bump or a parameter change misses. Values are stored as one float64 matrix (`.npy` bytes).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from kinetra import features as _features
from kinetra.data.inventory import load_bars
from kinetra.errors import UnknownSeriesError
from kinetra.features.catalog import feature_key, resolve


def series_fingerprint(con: Any, series_id: int) -> str:
    """Return `id:count:last_ts:max_ingest` of a series, or raise UnknownSeriesError."""
    if not con.execute("SELECT 1 FROM series WHERE id = ?", [series_id]).fetchall():
        raise UnknownSeriesError(f"no series with id {series_id} in the store")
    count, last, ingest = con.execute(
        "SELECT count(*), max(ts), max(ingest_id) FROM bars WHERE series_id = ?", [series_id]).fetchall()[0]
    return f"{series_id}:{count}:{last.isoformat() if last else '-'}:{ingest if ingest is not None else '-'}"


def cached_features(store: Any, series_id: int, names: list[str] | None,
                    params: dict[str, dict[str, Any]] | None) -> pd.DataFrame:
    """Read the features of a series from the cache, or compute them from its bars and store them."""
    resolved = resolve(names, params)
    key = feature_key(resolved)
    with store.session() as con:
        fingerprint = series_fingerprint(con, series_id)
        row = con.execute("SELECT data FROM feature_cache WHERE series_id = ? AND feature_key = ?"
                          " AND fingerprint = ?", [series_id, key, fingerprint]).fetchall()
        bars = load_bars(store, series_id)
    if row:
        return _frame(_unpack(row[0][0]), bars.index, list(resolved))
    frame = _features.compute_resolved(bars, resolved)
    _store(store, series_id, key, fingerprint, frame)
    return frame


def _store(store: Any, series_id: int, key: str, fingerprint: str, frame: pd.DataFrame) -> None:
    """Replace the series' entry for this key; a stale fingerprint is simply overwritten."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(frame.to_numpy(dtype=np.float64)), allow_pickle=False)
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.session() as con:
        con.execute("DELETE FROM feature_cache WHERE series_id = ? AND feature_key = ?", [series_id, key])
        con.execute("INSERT INTO feature_cache VALUES (?, ?, ?, ?, ?, ?)",
                    [series_id, key, fingerprint, ",".join(frame.columns), now, buffer.getvalue()])


def _unpack(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


def _frame(values: np.ndarray, index: pd.Index, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(values.reshape(len(index), len(columns)), index=index, columns=columns, dtype=np.float64)
