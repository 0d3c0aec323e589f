"""MT5 timeframes: names, bar lengths in seconds, and parsing of user input."""

from __future__ import annotations

from kinetra.errors import KinetraError

#: Nominal bar length in seconds per MT5 timeframe name (MN1 uses 30 days nominally).
TIMEFRAME_SECONDS: dict[str, int] = {
    "M1": 60, "M2": 120, "M3": 180, "M4": 240, "M5": 300, "M6": 360, "M10": 600,
    "M12": 720, "M15": 900, "M20": 1200, "M30": 1800,
    "H1": 3600, "H2": 7200, "H3": 10800, "H4": 14400, "H6": 21600, "H8": 28800, "H12": 43200,
    "D1": 86400, "W1": 604800, "MN1": 2592000,
}


class UnknownTimeframeError(KinetraError):
    """A timeframe name is not one MT5 uses."""

    exit_code = 2


def parse_timeframe(name: str) -> str:
    """Return the canonical MT5 name for `name` (case-insensitive), or raise."""
    tf = name.strip().upper()
    if tf not in TIMEFRAME_SECONDS:
        known = ", ".join(TIMEFRAME_SECONDS)
        raise UnknownTimeframeError(f"unknown timeframe {name!r} (known: {known})")
    return tf


def seconds(tf: str) -> int:
    """Return the nominal bar length of a timeframe in seconds."""
    return TIMEFRAME_SECONDS[parse_timeframe(tf)]


def spacing_matches(tf: str, spacing_s: float) -> bool:
    """Tell whether an observed typical bar spacing fits timeframe `tf`."""
    tf = parse_timeframe(tf)
    if tf == "MN1":
        return 28 * 86400 <= spacing_s <= 31 * 86400
    return spacing_s == TIMEFRAME_SECONDS[tf]


def timeframe_for_spacing(spacing_s: float) -> str | None:
    """Return the timeframe whose bar length equals `spacing_s`, if any."""
    for tf in TIMEFRAME_SECONDS:
        if spacing_matches(tf, spacing_s):
            return tf
    return None
