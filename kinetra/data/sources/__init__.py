"""Sources of bars: MT5 CSV exports, the synthetic market, and MetaAPI, behind one protocol.

A source serves one window [start, end] of a series as pages, newest page first and each page in
ascending time, so a download commits page by page and a killed one knows exactly where to go on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pandas as pd

from kinetra.errors import KinetraError

SOURCE_NAMES = ("metaapi", "synthetic", "mt5_csv")


class SourceError(KinetraError):
    """A source could not serve a request; the message is one line a person can act on."""


class SymbolNotFoundError(SourceError):
    """The source does not know a symbol; that series fails, the others go on."""

    exit_code = 4


class SourceAuthError(SourceError):
    """The source refused our credentials; nothing else will work, so the download stops."""

    exit_code = 2


class SourceUnavailableError(SourceError):
    """The source stayed unreachable (or rate-limited) past the retry budget."""


@dataclass
class Page:
    """One page of bars: `frame` has ts (naive UTC, ascending, unique) and the bar columns."""

    frame: pd.DataFrame
    retries: int = 0
    """Retries it took to get this page (rate limits and transient failures)."""
    server_offset_s: int | None = None
    """The broker's server clock minus UTC, when the source tells (MetaAPI's brokerTime)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class BrokerSpec:
    """A broker's specification of one symbol, as Kinetra's SymbolSpec keys and as the broker sent it."""

    values: dict[str, Any]
    """SymbolSpec keys the broker's fields settle (digits, point, contract_size, tick_value, swaps...)."""
    raw: dict[str, Any]
    """The broker's own fields that were read, for reference (never credentials)."""
    notes: list[str] = field(default_factory=list)
    """Fields that could not be taken, and why (left to the shipped or user specs)."""


class Source(Protocol):
    """What every source offers the download manager and gap fill."""

    name: str

    async def symbols(self) -> list[str] | None:
        """Symbols the source offers, or None when it cannot list them."""
        ...

    def pages(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> AsyncIterator[Page]:
        """Bars of [start, end] (naive UTC), newest page first; stops when the source has no more."""
        ...

    async def specification(self, symbol: str) -> BrokerSpec | None:
        """The broker's specification of a symbol, or None when the source has none (files, synthetic)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def open_source(name: str, settings: Any, broker: str | None = None, **options: Any) -> Source:
    """Build the named source for a broker; an unknown name is a one-line error."""
    if name == "synthetic":
        from kinetra.data.sources.synthetic import SyntheticSource

        return SyntheticSource(seed=int(options.get("seed", 7)), page_size=settings.download.page_size)
    if name == "metaapi":
        from kinetra.data.sources.metaapi import MetaApiSource

        return MetaApiSource.from_settings(settings, broker, deploy=bool(options.get("deploy", False)),
                                           seed=int(options.get("jitter_seed", 0)),
                                           should_cancel=options.get("should_cancel"))
    if name == "mt5_csv":
        from kinetra.data.sources.mt5_files import Mt5FilesSource

        return Mt5FilesSource(options.get("paths", []), settings, broker, page_size=settings.download.page_size)
    raise SourceError(f"unknown source {name!r} (one of {', '.join(SOURCE_NAMES)})")
