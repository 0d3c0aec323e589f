"""Parse MetaTrader 5 CSV exports fast: a numba kernel over the file's bytes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numba
import numpy as np

from kinetra.errors import MalformedFileError

# Column roles the kernel fills; -1 in the index map means "absent".
ROLES = ("date", "time", "open", "high", "low", "close", "tick_volume", "volume", "spread")
_ALIASES = {
    "date": "date", "datetime": "date", "time": "time", "open": "open", "high": "high", "low": "low",
    "close": "close", "tickvol": "tick_volume", "tick_volume": "tick_volume", "tickvolume": "tick_volume",
    "vol": "volume", "volume": "volume", "real_volume": "volume", "spread": "spread",
}
_POW10 = np.array([10.0**k for k in range(23)])
_MDAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_REASONS = ("", "wrong column count", "bad date", "bad time", "bad number in <OPEN>", "bad number in <HIGH>",
            "bad number in <LOW>", "bad number in <CLOSE>", "bad number in <TICKVOL>", "bad number in <VOL>",
            "bad number in <SPREAD>")


@dataclass(frozen=True)
class ParsedBars:
    """Bars of one file in file order, times naive in the file's own (broker server) clock."""

    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    tick_volume: np.ndarray
    volume: np.ndarray
    spread: np.ndarray
    has_tick_volume: bool
    has_volume: bool
    has_spread: bool
    bad_lines: np.ndarray
    bad_reasons: list[str]
    total_rows: int
    lines: np.ndarray
    """1-based file line number of each good row."""


def _decode(data: bytes, name: str) -> bytes:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise MalformedFileError(name, "not valid UTF-16 text") from None
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _header(data: bytes, name: str) -> tuple[int, np.ndarray, int]:
    """Return (delimiter byte, column index per role, offset of the first data line)."""
    end = data.find(b"\n")
    line = (data if end < 0 else data[:end]).rstrip(b"\r")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedFileError(name, "not a text file (cannot decode the header)") from None
    delim = max("\t,;", key=text.count)
    fields = [re.sub(r"[<>\s]", "", f).lower() for f in text.split(delim)]
    if text.count(delim) == 0:
        raise MalformedFileError(name, f"header is not tab, comma or semicolon separated: {text[:80]!r}")
    index = np.full(len(ROLES), -1, dtype=np.int64)
    for col, field in enumerate(fields):
        role = _ALIASES.get(field)
        if role is not None and index[ROLES.index(role)] < 0:
            index[ROLES.index(role)] = col
    missing = [r.upper() for r in ("date", "open", "high", "low", "close") if index[ROLES.index(r)] < 0]
    if missing:
        raise MalformedFileError(name, f"header lacks {', '.join(missing)} (found {text[:80]!r})")
    return ord(delim), index, (len(data) if end < 0 else end + 1)


@numba.njit(cache=True, nogil=True)
def _trim(buf, a, b):
    """Return the bounds of buf[a:b] without leading and trailing spaces."""
    while a < b and buf[a] == 32:
        a += 1
    while b > a and buf[b - 1] == 32:
        b -= 1
    return a, b


@numba.njit(cache=True, nogil=True)
def _exponent(buf, i, b):
    """Parse the exponent digits after 'e' at buf[i:b]; return (exponent, ok)."""
    neg = False
    if i < b and (buf[i] == 45 or buf[i] == 43):
        neg = buf[i] == 45
        i += 1
    if i >= b:
        return 0, False
    e = 0
    while i < b:
        c = np.int64(buf[i]) - 48
        if c < 0 or c > 9:
            return 0, False
        e = e * 10 + c
        i += 1
    return (-e if neg else e), True


@numba.njit(cache=True, nogil=True)
def _number(buf, a, b):
    """Parse buf[a:b] as a decimal; return (value, ok). Exact-rounded for up to 18 significant digits."""
    a, b = _trim(buf, a, b)
    neg = a < b and buf[a] == 45
    if a < b and (buf[a] == 45 or buf[a] == 43):
        a += 1
    mant = np.int64(0)
    ndig = 0
    frac = -1
    i = a
    while i < b:
        c = np.int64(buf[i]) - 48
        if 0 <= c <= 9:
            mant = mant * 10 + c
            ndig += 1
            frac += frac >= 0
        elif c == -2 and frac < 0:
            frac = 0
        else:
            break
        i += 1
    if ndig == 0 or ndig > 18:
        return 0.0, False
    scale = -max(frac, 0)
    if i < b:
        if buf[i] != 101 and buf[i] != 69:
            return 0.0, False
        e, ok = _exponent(buf, i + 1, b)
        if not ok:
            return 0.0, False
        scale += e
    value = float(mant)
    if -22 <= scale < 0:
        value = value / _POW10[-scale]
    elif 0 < scale <= 22:
        value = value * _POW10[scale]
    elif scale != 0:
        value = value * 10.0**scale
    return (-value if neg else value), True


@numba.njit(cache=True, nogil=True)
def _int(buf, a, b):
    value, ok = _number(buf, a, b)
    if not ok or value != np.floor(value):
        return 0, False
    return np.int64(value), True


@numba.njit(cache=True, nogil=True)
def _days(y, m, d):
    """Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@numba.njit(cache=True, nogil=True)
def _digits(buf, a, n):
    v = 0
    for k in range(n):
        c = buf[a + k]
        if not 48 <= c <= 57:
            return -1
        v = v * 10 + (c - 48)
    return v


@numba.njit(cache=True, nogil=True)
def _date(buf, a, b):
    """Parse YYYY.MM.DD (or - /) at buf[a:]; return (days, end offset), end -1 when invalid."""
    while a < b and buf[a] == 32:
        a += 1
    sep = buf[a + 4] if b - a >= 10 else 0
    if (sep != 46 and sep != 45 and sep != 47) or buf[a + 7] != sep:
        return np.int64(-1), -1
    y, m, d = _digits(buf, a, 4), _digits(buf, a + 5, 2), _digits(buf, a + 8, 2)
    if y < 0 or m < 1 or m > 12 or d < 1:
        return np.int64(-1), -1
    leap = m == 2 and y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if d > _MDAYS[m - 1] + leap:
        return np.int64(-1), -1
    return _days(y, m, d), a + 10


@numba.njit(cache=True, nogil=True)
def _time(buf, a, b):
    """Parse HH:MM[:SS] in buf[a:b]; return seconds or -1."""
    a, b = _trim(buf, a, b)
    n = b - a
    if n not in (5, 8) or buf[a + 2] != 58 or (n == 8 and buf[a + 5] != 58):
        return -1
    h, mi = _digits(buf, a, 2), _digits(buf, a + 3, 2)
    s = _digits(buf, a + 6, 2) if n == 8 else 0
    if h < 0 or h > 23 or mi < 0 or mi > 59 or s < 0 or s > 59:
        return -1
    return h * 3600 + mi * 60 + s


@numba.njit(cache=True, nogil=True)
def _parse_row(buf, a, stop, delim, roles, ncols, out_f, out_i, out_ts, row, has_time):
    """Parse one line buf[a:stop] into slot `row`; return 0, a reason code, or -1 for a blank line."""
    blank = True
    for k in range(a, stop):
        if buf[k] != 32 and buf[k] != 9:
            blank = False
            break
    if blank:
        return -1
    seps = 0
    for k in range(a, stop):
        seps += buf[k] == delim
    if seps != ncols - 1:
        return 1
    days = np.int64(0)
    secs = np.int64(0)
    col = 0
    f0 = a
    for k in range(a, stop + 1):
        if k < stop and buf[k] != delim:
            continue
        if col >= ncols:
            return 1
        role = roles[col]
        if role == 0:
            days, dend = _date(buf, f0, k)
            if dend < 0:
                return 2
            if not has_time:
                secs = _time(buf, dend, k) if dend < k else 0
                if secs < 0:
                    return 3
        elif role == 1:
            secs = _time(buf, f0, k)
            if secs < 0:
                return 3
        elif 2 <= role <= 5:
            v, ok = _number(buf, f0, k)
            if not ok:
                return 2 + role
            out_f[role - 2, row] = v
        elif role >= 6:
            iv, ok = _int(buf, f0, k)
            if not ok:
                return 2 + role
            out_i[role - 6, row] = iv
        col += 1
        f0 = k + 1
    if col != ncols:
        return 1
    out_ts[row] = days * 86400 + secs
    return 0


@numba.njit(cache=True, nogil=True, parallel=True)
def _parse(buf, starts, delim, roles, ncols, out_f, out_i, out_ts, codes, has_time):
    """Parse every line in parallel; codes[i] is 0 (good), -1 (blank) or a reason code."""
    for i in numba.prange(len(starts) - 1):
        stop = starts[i + 1] - 1
        if stop > starts[i] and stop <= len(buf) and buf[stop - 1] == 13:
            stop -= 1
        stop = min(stop, len(buf))
        codes[i] = _parse_row(buf, starts[i], stop, delim, roles, ncols, out_f, out_i, out_ts, i, has_time)


def parse_mt5_bytes(data: bytes, name: str = "<bytes>") -> ParsedBars:
    """Parse the bytes of an MT5 export; unreadable rows are listed, not fatal."""
    data = _decode(data, name)
    if not data.strip():
        raise MalformedFileError(name, "file is empty")
    delim, index, start = _header(data, name)
    ncols = data[:start].rstrip(b"\r\n").count(bytes([delim])) + 1
    has_time = bool(index[1] >= 0 and index[1] != index[0])
    roles = np.full(ncols, -1, dtype=np.int64)
    for role, col in enumerate(index):
        if col >= 0 and (role != 1 or has_time):
            roles[col] = role
    buf = np.frombuffer(data, dtype=np.uint8)
    starts = np.concatenate(([start], np.flatnonzero(buf[start:] == 10) + start + 1, [len(buf) + 1]))
    cap = len(starts) - 1
    out_f = np.empty((4, cap), dtype=np.float64)
    out_i = np.empty((3, cap), dtype=np.int64)
    out_ts = np.empty(cap, dtype=np.int64)
    codes = np.empty(cap, dtype=np.int64)
    _parse(buf, starts, delim, roles, ncols, out_f, out_i, out_ts, codes, has_time)
    for k in range(3):
        if index[6 + k] < 0:
            out_i[k] = 0
    line_numbers = np.arange(2, cap + 2, dtype=np.int64)
    bad = codes > 0
    kept = np.flatnonzero(codes == 0)
    good: slice | np.ndarray = kept
    if len(kept) and kept[-1] - kept[0] + 1 == len(kept):  # the usual case: one run, no copies
        good = slice(int(kept[0]), int(kept[-1]) + 1)
    elif not len(kept):
        first = np.flatnonzero(bad)
        reason = ("no data rows" if len(first) == 0
                  else f"no row could be read (line {line_numbers[first[0]]}: {_REASONS[codes[first[0]]]})")
        raise MalformedFileError(name, reason)
    return ParsedBars(
        ts=out_ts[good], open=out_f[0, good], high=out_f[1, good], low=out_f[2, good], close=out_f[3, good],
        tick_volume=out_i[0, good], volume=out_i[1, good], spread=out_i[2, good],
        has_tick_volume=bool(index[6] >= 0), has_volume=bool(index[7] >= 0), has_spread=bool(index[8] >= 0),
        bad_lines=line_numbers[bad], bad_reasons=[_REASONS[c] for c in codes[bad]],
        total_rows=int(len(kept) + bad.sum()), lines=line_numbers[good],
    )


def parse_mt5_csv(path: str | os.PathLike) -> ParsedBars:
    """Read and parse an MT5 export file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise MalformedFileError(str(path), f"cannot read: {err.strerror}") from None
    return parse_mt5_bytes(data, name=str(path))
