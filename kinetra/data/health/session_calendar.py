"""Learned session calendars: which slots of the week a market normally trades, and the gaps against them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WEEK = 7 * 86400
MONDAY_OFFSET = 4 * 86400  # 1970-01-01 was a Thursday; week slots count from Monday 00:00 UTC


def slot_seconds(timeframe_seconds: int) -> int:
    """Slot size of the weekly calendar: the bar length for intraday, one hour above it."""
    return timeframe_seconds if timeframe_seconds < 3600 else 3600


def week_slot(ts: np.ndarray, slot: int) -> np.ndarray:
    """Return the slot-of-week index of UTC epoch seconds."""
    return ((ts - MONDAY_OFFSET) % WEEK) // slot


@dataclass(frozen=True)
class Calendar:
    """Occupancy per slot of the week and which slots count as normally open."""

    slot: int
    step: int
    occupancy: np.ndarray
    open: np.ndarray


def expected_times(ts: np.ndarray, step: int) -> np.ndarray:
    """Every bar time the timeframe allows between the first and last bar."""
    first = ts[0] - ts[0] % step if step <= 86400 else ts[0]
    return np.arange(first, ts[-1] + 1, step, dtype=np.int64)


@dataclass(frozen=True)
class Grid:
    """Every bar time a series' timeframe allows (see `expected_times`), its slot of the week, and which hold a bar."""

    times: np.ndarray
    slots: np.ndarray
    present: np.ndarray


def bar_grid(ts: np.ndarray, timeframe_seconds: int, slot: int | None = None) -> Grid:
    """Lay the expected bar times of `ts` out once, so learning the calendar and finding gaps share them."""
    times = expected_times(ts, timeframe_seconds)
    period = WEEK // math.gcd(timeframe_seconds, WEEK)  # times `period` steps apart share their slot of the week
    slots = np.resize(week_slot(times[:period], slot or slot_seconds(timeframe_seconds)), len(times))
    return Grid(times, slots, _present(times, ts, timeframe_seconds))


def _present(times: np.ndarray, ts: np.ndarray, step: int) -> np.ndarray:
    """Which of the evenly spaced `times` occur in `ts` (unsorted or repeated too): np.isin in one O(n) pass."""
    present = np.zeros(len(times), dtype=bool)
    if len(times):
        off = np.asarray(ts) - times[0]
        index = off // step
        present[index[(index * step == off) & (index >= 0) & (index < len(times))]] = True
    return present


def learn_calendar(ts: np.ndarray, timeframe_seconds: int, threshold: float = 0.9,
                   grid: Grid | None = None) -> Calendar:
    """Learn from sorted bar times which slots of the week normally hold a bar (`grid`: from `bar_grid`, if at hand)."""
    slot = slot_seconds(timeframe_seconds)
    nslots = WEEK // slot
    grid = grid or bar_grid(ts, timeframe_seconds)
    seen = np.bincount(grid.slots, minlength=nslots)
    held = np.bincount(grid.slots, weights=grid.present, minlength=nslots)
    occupancy = np.divide(held, seen, out=np.zeros(nslots), where=seen > 0)
    return Calendar(slot, timeframe_seconds, occupancy, occupancy >= threshold)


def open_times(calendar: Calendar, lo: int, hi: int) -> np.ndarray:
    """The bar times in [lo, hi] (lo on the bar grid) whose slot of the week is normally open."""
    times = np.arange(lo, hi + 1, calendar.step, dtype=np.int64)
    return times[calendar.open[week_slot(times, calendar.slot)]]


def find_gaps(ts: np.ndarray, calendar: Calendar,
              grid: Grid | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (start, end, missing bars) of each run of missing bars in normally-open slots."""
    grid = grid or bar_grid(ts, calendar.step, calendar.slot)
    open_ = calendar.open[grid.slots]
    times, missing = grid.times[open_], ~grid.present[open_]
    edges = np.diff(np.r_[0, missing.astype(np.int8), 0])
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return times[starts], times[stops - 1], (stops - starts).astype(np.int64)


def session_shifts(calendar: Calendar, grid: Grid, starts: np.ndarray, ends: np.ndarray,
                   missing: np.ndarray) -> np.ndarray:
    """Which gaps are a session moved in time rather than bars lost.

    A gap at a session's open or close, inside one trading week (weeks split in the middle of the
    calendar's longest closure, the weekend), in a week holding at least as many bars in normally-closed
    slots: that week's session opened or closed at another hour, as when the data's clock and the
    market's clock change for daylight saving in different weeks.
    """
    shifted = np.zeros(len(starts), dtype=bool)
    if not len(starts) or calendar.open.all():
        return shifted
    split = MONDAY_OFFSET + _middle_of_longest_closure(calendar.open) * calendar.slot
    week = (grid.times - split) // WEEK
    off_calendar = np.bincount(week - week[0], weights=grid.present & ~calendar.open[grid.slots])
    first, last = (starts - split) // WEEK, (ends - split) // WEEK
    at_edge = (~calendar.open[week_slot(starts - calendar.step, calendar.slot)]
               | ~calendar.open[week_slot(ends + calendar.step, calendar.slot)])
    extra = off_calendar[np.clip(first - week[0], 0, len(off_calendar) - 1)]
    return (first == last) & at_edge & (extra >= missing)


def _middle_of_longest_closure(open_: np.ndarray) -> int:
    """The slot in the middle of the longest run of closed slots, the week read as a circle."""
    twice = np.r_[open_, open_]
    edges = np.diff(np.r_[1, twice.astype(np.int8), 1])
    starts, stops = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
    longest = int(np.argmax(np.minimum(stops - starts, len(open_))))
    return int((starts[longest] + stops[longest]) // 2 % len(open_))
