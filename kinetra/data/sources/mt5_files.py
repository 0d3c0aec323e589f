"""MT5 CSV exports as a source: the files a series was imported from, read again on request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kinetra.data.bars_frame import BAR_COLUMNS
from kinetra.data.ingest import collect_files, prepare_file
from kinetra.data.sources import BrokerSpec, Page, SourceError, SymbolNotFoundError
from kinetra.data.sources.paging import pages_of
from kinetra.data.symbols import parse_file_name
from kinetra.data.timeframes import parse_timeframe
from kinetra.errors import MalformedFileError


class Mt5FilesSource:
    """Exports on disk (files or folders) behind the Source protocol; symbols come from file names."""

    name = "mt5_csv"

    def __init__(self, paths: list[str | Path], settings: Any, broker: str | None = None, page_size: int = 1000) -> None:
        self.paths = [Path(p) for p in paths]
        self.settings = settings
        self.broker = broker
        self.page_size = page_size

    def _files(self) -> list[Path]:
        existing = [p for p in self.paths if p.exists()]
        if not existing:
            raise SourceError("the MT5 export files are gone: " + (", ".join(map(str, self.paths)) or "no paths known"))
        return collect_files(existing)

    async def symbols(self) -> list[str] | None:
        """Symbols named by the export files."""
        names = (parse_file_name(p) for p in self._files())
        return sorted({n.symbol for n in names if n is not None})

    async def specification(self, symbol: str) -> BrokerSpec | None:
        """Export files carry no symbol specification: the shipped and user specs apply."""
        return None

    async def pages(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> AsyncIterator[Page]:
        """Bars of [start, end] from every export of this symbol and timeframe, newest page first."""
        tf = parse_timeframe(timeframe)
        frames = []
        for path in self._files():
            named = parse_file_name(path)
            if named is None or named.symbol.upper() != symbol.upper() or named.timeframe != tf:
                continue
            try:
                frames.append(prepare_file(path, self.settings, named.symbol, tf, self.broker).frame)
            except MalformedFileError as err:
                raise SourceError(str(err)) from None
        if not frames:
            raise SymbolNotFoundError(f"no MT5 export of {symbol} {tf} among " + ", ".join(map(str, self.paths)))
        frame = pd.concat(frames).drop_duplicates("ts").sort_values("ts", kind="stable").reset_index(drop=True)
        async for page in pages_of(frame[["ts", *BAR_COLUMNS]], start, end, self.page_size):
            yield page

    async def close(self) -> None:
        """Nothing to release."""
