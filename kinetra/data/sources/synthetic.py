"""The synthetic market as a source: the demo's exact history, served in pages like a broker would.

Every request is cut from one fixed history per (symbol, timeframe, seed), so any window, asked
for in any order, gets the same bars: downloads from it are idempotent and resumable like real ones.
The demo's planted gap is absent here too, so gap fill can confirm it.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from datetime import datetime

import pandas as pd

from kinetra.data.bars_frame import store_frame
from kinetra.data.sources import BrokerSpec, Page, SymbolNotFoundError
from kinetra.data.sources.paging import pages_of
from kinetra.data.synthetic import BASE, DEMO_SYMBOLS, aggregate, demo_base, demo_span, generate_bars
from kinetra.data.timeframes import TIMEFRAME_SECONDS, parse_timeframe


@functools.lru_cache(maxsize=32)
def _history(symbol: str, timeframe: str, seed: int) -> pd.DataFrame:
    sym = next((s for s in DEMO_SYMBOLS if s.symbol == symbol), None)
    if sym is None:
        raise SymbolNotFoundError(f"the synthetic source has no symbol {symbol} "
                                  f"(it has {', '.join(s.symbol for s in DEMO_SYMBOLS)})")
    tf_s, base_s = TIMEFRAME_SECONDS[timeframe], TIMEFRAME_SECONDS[BASE]
    if tf_s >= base_s and tf_s % base_s == 0 and tf_s <= 86400:
        base, _ = demo_base(sym, seed)
        return store_frame(aggregate(base, timeframe))
    start, end = demo_span()
    return store_frame(generate_bars(sym, timeframe, start, end, seed))


class SyntheticSource:
    """The demo generator behind the Source protocol."""

    name = "synthetic"

    def __init__(self, seed: int = 7, page_size: int = 1000) -> None:
        self.seed = seed
        self.page_size = page_size

    async def symbols(self) -> list[str] | None:
        """The demo markets."""
        return [s.symbol for s in DEMO_SYMBOLS]

    async def specification(self, symbol: str) -> BrokerSpec | None:
        """The demo markets have no broker specification: the shipped specs apply."""
        return None

    async def pages(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> AsyncIterator[Page]:
        """Bars of [start, end] from the fixed history, newest page first."""
        frame = _history(symbol.upper(), parse_timeframe(timeframe), self.seed)
        async for page in pages_of(frame, start, end, self.page_size):
            yield page

    async def close(self) -> None:
        """Nothing to release."""
