"""Market holidays: dates on which most series of an asset class lack bars in their open slots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from kinetra.data.health.session_calendar import Calendar, open_times

DAY = 86400


def missing_dates(starts: np.ndarray, ends: np.ndarray, step: int) -> set[int]:
    """Return the UTC dates (days since epoch) on which a series' gaps fall."""
    days: set[int] = set()
    for start, end in zip(starts, ends, strict=True):
        days.update(range(int(start) // DAY, int(end) // DAY + 1))
    return days


def holiday_dates(series: Iterable[tuple[str, str, tuple[int, int], set[int]]], share: float) -> dict[str, set[int]]:
    """Return holiday dates per asset class.

    `series` gives (key, asset class, (first day, last day), missing dates) per series; series with
    the same key (the timeframes of one symbol) count as one market. A date is a holiday of a class
    when more than `share` of the class's markets covering it miss bars on it and at least two
    markets of any class do (one market alone cannot tell a holiday from a gap in its feed).
    """
    items = _merge_by_key(series)
    missing_anywhere: dict[int, int] = defaultdict(int)
    for _, _, _, days in items:
        for day in days:
            missing_anywhere[day] += 1
    by_class: dict[str, list] = defaultdict(list)
    for item in items:
        by_class[item[1]].append(item)
    out: dict[str, set[int]] = {}
    for klass, members in by_class.items():
        candidates = set().union(*(m[3] for m in members))
        out[klass] = {
            day for day in candidates
            if missing_anywhere[day] >= 2 and _share_missing(members, day) > share
        }
    return out


def _merge_by_key(series: Iterable[tuple[str, str, tuple[int, int], set[int]]]) -> list:
    merged: dict[tuple[str, str], list] = {}
    for key, klass, (first, last), days in series:
        if (key, klass) in merged:
            item = merged[(key, klass)]
            item[2] = (min(item[2][0], first), max(item[2][1], last))
            item[3] = item[3] | days
        else:
            merged[(key, klass)] = [key, klass, (first, last), set(days)]
    return list(merged.values())


def _share_missing(members: list, day: int) -> float:
    covering = [m for m in members if m[2][0] <= day <= m[2][1]]
    return sum(day in m[3] for m in covering) / len(covering) if covering else 0.0


Piece = tuple[bool, int, int, int]
"""(is holiday, first missing bar, last missing bar, missing bars) of part of a gap."""


def holiday_pieces(calendar: Calendar, start: int, end: int, missing: int, holidays: set[int]) -> list[Piece]:
    """Split one gap into holiday and gap pieces.

    Missing bars on holiday dates are the holiday; so are the early close before it and the late open after it:
    a run of missing bars next to the holiday, within one day and under half that day's usual bars. Anything
    else (a whole normal day lost after a holiday, say) stays a gap.
    """
    if calendar.step >= DAY or not holidays:
        return [(set(range(start // DAY, end // DAY + 1)) <= holidays, start, end, missing)]
    times = open_times(calendar, start, end)
    if len(times) != missing:  # not a gap of this calendar: judge it whole, as a date range
        return [(set(range(start // DAY, end // DAY + 1)) <= holidays, start, end, missing)]
    days = times // DAY
    held = np.isin(days, np.fromiter(holidays, dtype=np.int64, count=len(holidays)))
    if not held.any():
        return [(False, start, end, missing)]
    runs = np.split(np.arange(len(times)), np.flatnonzero(np.diff(held.astype(np.int8))) + 1)
    kinds = [bool(held[run[0]]) for run in runs]
    for i, run in enumerate(runs):
        day = int(days[run[0]])
        if not kinds[i] and days[run[-1]] == day and 2 * len(run) < _usual_bars(calendar, day):
            kinds[i] = (i > 0 and kinds[i - 1]) or (i + 1 < len(runs) and kinds[i + 1])
    pieces: list[Piece] = []
    for kind, run in zip(kinds, runs, strict=True):
        if pieces and pieces[-1][0] == kind:
            pieces[-1] = (kind, pieces[-1][1], int(times[run[-1]]), pieces[-1][3] + len(run))
        else:
            pieces.append((kind, int(times[run[0]]), int(times[run[-1]]), len(run)))
    return pieces


def _usual_bars(calendar: Calendar, day: int) -> int:
    """How many bars a normal day like `day` (same weekday) holds."""
    return len(open_times(calendar, day * DAY, day * DAY + DAY - 1))
