"""Clocks: core code asks a clock for "now" so tests and snapshots can freeze time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current UTC time."""

    def now(self) -> datetime:
        """Return the current time, tz-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the wall-clock time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock stuck at one instant, for tests and snapshots."""

    def __init__(self, at: datetime) -> None:
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """Return the frozen instant."""
        return self.at


def utc_naive(at: datetime) -> datetime:
    """Return `at` as a naive datetime in UTC, the form the store keeps."""
    if at.tzinfo is None:
        return at
    return at.astimezone(UTC).replace(tzinfo=None)
