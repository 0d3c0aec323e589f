"""Paging helpers shared by the sources that hold their whole history in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import numpy as np
import pandas as pd

from kinetra.data.sources import Page


async def pages_of(frame: pd.DataFrame, start: datetime, end: datetime, page_size: int) -> AsyncIterator[Page]:
    """Serve the rows of `frame` (ts ascending) within [start, end] newest page first, like MetaAPI does."""
    ts = frame["ts"].to_numpy()
    lo = int(np.searchsorted(ts, np.datetime64(start, "us"), side="left"))
    hi = int(np.searchsorted(ts, np.datetime64(end, "us"), side="right"))
    while hi > lo:
        first = max(lo, hi - page_size)
        yield Page(frame.iloc[first:hi].reset_index(drop=True))
        hi = first
