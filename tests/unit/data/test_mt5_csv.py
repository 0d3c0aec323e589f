"""The MT5 CSV parser against a plain-Python reference, real exports and bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinetra.data.mt5_csv import parse_mt5_bytes, parse_mt5_csv
from kinetra.errors import MalformedFileError
from tests.support.mt5 import SHARED_MT5

FULL = ["<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"]


def reference(text: str, delim: str) -> list[tuple]:
    """Parse with csv + datetime + float: (epoch seconds, o, h, l, c, tickvol, vol, spread) per row."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    header = [h.strip("<>").lower() for h in rows[0]]
    out = []
    for row in rows[1:]:
        if not row:
            continue
        rec = dict(zip(header, row, strict=True))
        stamp = rec["date"] + (" " + rec["time"] if "time" in rec else "")
        fmt = "%Y.%m.%d %H:%M:%S" if stamp.count(":") == 2 else "%Y.%m.%d %H:%M"
        at = int(datetime.strptime(stamp, fmt).replace(tzinfo=UTC).timestamp())
        ints = [int(rec[k]) if k in rec else 0 for k in ("tickvol", "vol", "spread")]
        out.append((at, *(float(rec[k]) for k in ("open", "high", "low", "close")), *ints))
    return out


def as_tuples(parsed) -> list[tuple]:
    cols = (parsed.ts, parsed.open, parsed.high, parsed.low, parsed.close, parsed.tick_volume, parsed.volume,
            parsed.spread)
    return [tuple(x.item() for x in row) for row in zip(*cols, strict=True)]


prices = st.integers(min_value=1, max_value=10**9).flatmap(
    lambda m: st.integers(min_value=0, max_value=6).map(lambda d: f"{m / 10**d:.{d}f}"))
stamps = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)).map(
    lambda t: t.replace(microsecond=0))


@st.composite
def mt5_files(draw):
    delim = draw(st.sampled_from(["\t", ",", ";"]))
    eol = draw(st.sampled_from(["\r\n", "\n"]))
    optional = draw(st.lists(st.sampled_from(["<TICKVOL>", "<VOL>", "<SPREAD>"]), unique=True))
    joined = draw(st.booleans())
    header = (["<DATE>"] if joined else ["<DATE>", "<TIME>"]) + ["<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>"] + optional
    lines = [delim.join(header)]
    for _ in range(draw(st.integers(min_value=1, max_value=20))):
        at = draw(stamps)
        when = [at.strftime("%Y.%m.%d %H:%M:%S")] if joined else [at.strftime("%Y.%m.%d"), at.strftime("%H:%M:%S")]
        nums = [draw(prices) for _ in range(4)]
        extra = [str(draw(st.integers(min_value=0, max_value=10**6))) for _ in optional]
        lines.append(delim.join(when + nums + extra))
    trailing = draw(st.booleans())
    return eol.join(lines) + (eol if trailing else ""), delim


@settings(max_examples=120, deadline=None)
@given(mt5_files())
def test_the_kernel_agrees_with_the_python_reference(file) -> None:
    text, delim = file
    parsed = parse_mt5_bytes(text.encode())
    assert as_tuples(parsed) == reference(text.replace("\r\n", "\n"), delim)
    assert len(parsed.bad_lines) == 0 and parsed.total_rows == len(parsed.ts)
    assert parsed.lines.tolist() == list(range(2, len(parsed.ts) + 2))


@pytest.mark.skipif(not SHARED_MT5.is_dir(), reason="shared MT5 exports not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED_MT5.glob("*.csv")) if SHARED_MT5.is_dir() else [])
def test_real_exports_parse_exactly(name: str) -> None:
    path = SHARED_MT5 / name
    parsed = parse_mt5_csv(path)
    frame = pd.read_csv(path, sep="\t")
    stamps = pd.to_datetime(frame["<DATE>"] + " " + frame["<TIME>"], format="%Y.%m.%d %H:%M:%S")
    assert parsed.total_rows == len(frame) and len(parsed.bad_lines) == 0
    assert np.array_equal(parsed.ts, stamps.values.astype("datetime64[s]").astype(np.int64))
    for ours, theirs in (("open", "<OPEN>"), ("high", "<HIGH>"), ("low", "<LOW>"), ("close", "<CLOSE>"),
                         ("tick_volume", "<TICKVOL>"), ("volume", "<VOL>"), ("spread", "<SPREAD>")):
        assert np.array_equal(getattr(parsed, ours), frame[theirs].to_numpy()), ours


ROW = "2024.01.02\t10:00:00\t1.10000\t1.10100\t1.09900\t1.10050\t120\t0\t7"


def test_utf16_and_utf8_bom_files_parse() -> None:
    text = "\t".join(FULL) + "\r\n" + ROW + "\r\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-be").join([b"\xfe\xff", b""]), b"\xef\xbb\xbf" + text.encode()):
        parsed = parse_mt5_bytes(data)
        assert parsed.close.tolist() == [1.1005] and parsed.spread.tolist() == [7]


def test_optional_columns_may_be_absent() -> None:
    parsed = parse_mt5_bytes(b"Date,Time,Open,High,Low,Close\n2024.01.02,10:00,1,2,0.5,1.5\n")
    assert not (parsed.has_tick_volume or parsed.has_volume or parsed.has_spread)
    assert parsed.ts.tolist() == [int(datetime(2024, 1, 2, 10, tzinfo=UTC).timestamp())]
    assert parsed.spread.tolist() == [0]


def test_bad_rows_are_listed_with_line_numbers_and_good_rows_kept() -> None:
    lines = ["\t".join(FULL), ROW, ROW.replace("1.10100", "1.1O1"), ROW.replace("2024.01.02", "2024.13.40"),
             "2024.01.02\t10:00:00\t1.1", ROW.replace("10:00:00", "25:00:00"), "", ROW.replace("10:00", "11:00")]
    parsed = parse_mt5_bytes("\r\n".join(lines).encode())
    assert parsed.bad_lines.tolist() == [3, 4, 5, 6]
    assert parsed.bad_reasons == ["bad number in <HIGH>", "bad date", "wrong column count", "bad time"]
    assert parsed.lines.tolist() == [2, 8] and parsed.total_rows == 6


@pytest.mark.parametrize(("data", "message"), [
    (b"", "file is empty"),
    (b"<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\r\n2024.01.02\t10:00\t1\t2\t0\r\n", "header lacks CLOSE"),
    (bytes(range(256)) * 4, "header"),
    (("\t".join(FULL) + "\r\n").encode(), "no data rows"),
    (("\t".join(FULL) + "\r\nfoo\tbar\r\n").encode(), "no row could be read"),
])
def test_unusable_files_raise_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(MalformedFileError, match=message) as err:
        parse_mt5_bytes(data, "x.csv")
    assert str(err.value).startswith("x.csv: ") and "\n" not in str(err.value)


def test_numbers_are_correctly_rounded() -> None:
    values = ["0.1", "1.23456", "87588.91", "155.539", "-2.5", "1.5e-3", "123456789.123456789"]
    body = "\n".join(f"2024.01.02\t10:0{i}\t{v}\t{v}\t{v}\t{v}" for i, v in enumerate(values))
    parsed = parse_mt5_bytes(("<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\n" + body).encode())
    assert parsed.close.tolist() == [float(v) for v in values]
