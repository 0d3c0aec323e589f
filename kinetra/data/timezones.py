"""Convert broker server clocks to UTC at the edge, vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinetra.config import NY_CLOSE, fixed_offset, validate_timezone

_SEVEN_HOURS = 7 * 3600


def _localize(seconds: np.ndarray, zone: str) -> np.ndarray:
    local = pd.DatetimeIndex(seconds.astype("datetime64[s]"))
    aware = local.tz_localize(zone, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward")
    return aware.tz_convert("UTC").tz_localize(None).as_unit("s").asi8 if len(local) else seconds


def server_to_utc(seconds: np.ndarray, timezone: str) -> np.ndarray:
    """Return UTC epoch seconds for naive server-clock epoch seconds of a broker timezone."""
    validate_timezone(timezone)
    seconds = np.asarray(seconds, dtype=np.int64)
    if timezone in ("UTC", "Etc/UTC"):
        return seconds
    offset = fixed_offset(timezone)
    if offset is not None:
        return seconds - int(offset.total_seconds())
    if timezone == NY_CLOSE:
        return _localize(seconds - _SEVEN_HOURS, "America/New_York").astype(np.int64)
    return _localize(seconds, timezone).astype(np.int64)
