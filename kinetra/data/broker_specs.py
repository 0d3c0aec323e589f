"""Brokers' own symbol specifications in the store: written by a download, read by every backtest.

One row per (broker, symbol); a later download replaces it, since brokers change swaps often.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kinetra.data.sources import BrokerSpec


@dataclass(frozen=True)
class StoredSpec:
    """A broker's specification of a symbol as stored: SymbolSpec keys, the fields read, when and whence."""

    broker: str
    symbol: str
    source: str
    values: dict[str, Any]
    raw: dict[str, Any]
    notes: list[str]
    fetched_at: datetime


def save_spec(store: Any, broker: str, symbol: str, source: str, spec: BrokerSpec, fetched_at: datetime) -> None:
    """Store (or replace) a broker's specification of one symbol."""
    with store.session() as con:
        con.execute("INSERT OR REPLACE INTO broker_symbol_specs VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [broker, symbol, source, json.dumps(spec.values), json.dumps(spec.raw), json.dumps(spec.notes),
                     fetched_at])


def stored_spec(store: Any, broker: str, symbol: str) -> StoredSpec | None:
    """The stored specification of a broker's symbol, or None when no download fetched one."""
    with store.session() as con:
        rows = con.execute("SELECT source, spec_values, raw, notes, fetched_at FROM broker_symbol_specs"
                           " WHERE broker = ? AND symbol = ?", [broker, symbol]).fetchall()
    if not rows:
        return None
    source, values, raw, notes, fetched_at = rows[0]
    return StoredSpec(broker, symbol, source, json.loads(values), json.loads(raw), json.loads(notes), fetched_at)
