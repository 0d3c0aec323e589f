"""Import speed: Kinetra's MT5 parser and full import against pandas.read_csv, measured in the same run.

Prints bars/s for each shared MT5 export (when ../shared/data/mt5 exists) and for a generated
1,000,000-bar M1 file, with the ratio to pandas (read_csv + datetime parsing). Best of 3 after a warm-up.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import timed_runs  # noqa: E402
from kinetra.data.ingest import import_files  # noqa: E402
from kinetra.data.mt5_csv import parse_mt5_csv  # noqa: E402
from kinetra.store import Store  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "mt5"
HEADER = ["<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"]


def pandas_read(path: Path) -> pd.DataFrame:
    """The peer: pandas.read_csv plus the DATE+TIME parse every importer needs."""
    frame = pd.read_csv(path, sep="\t")
    frame["time"] = pd.to_datetime(frame["<DATE>"] + " " + frame["<TIME>"], format="%Y.%m.%d %H:%M:%S")
    return frame


def import_seconds(path: Path, repeat: int = 3) -> float:
    """Best time to parse, validate, convert to UTC and write a file into an empty, already-created store."""
    times = []
    for _ in range(repeat + 1):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "kinetra.duckdb")
            store.schema_version()  # creating and migrating the store is not part of an import
            start = time.perf_counter()
            import_files([path], store, force=True)
            times.append(time.perf_counter() - start)
    return min(times[1:])


def write_big(path: Path, n: int = 1_000_000, seed: int = 42) -> Path:
    """Write an n-bar M1 MT5-style export (tab, CRLF), deterministic by seed."""
    rng = np.random.default_rng(seed)
    times = pd.date_range("2020-01-01", periods=n, freq="min")
    close = np.round(1.1 + np.cumsum(rng.normal(0, 0.0002, n)), 5)
    frame = pd.DataFrame({
        "<DATE>": times.strftime("%Y.%m.%d"), "<TIME>": times.strftime("%H:%M:%S"), "<OPEN>": close,
        "<HIGH>": close + 0.0002, "<LOW>": close - 0.0002, "<CLOSE>": close,
        "<TICKVOL>": rng.integers(1, 500, n), "<VOL>": 0, "<SPREAD>": rng.integers(0, 20, n),
    })
    frame.to_csv(path, sep="\t", index=False, lineterminator="\r\n", float_format="%.5f")
    return path


def row(name: str, path: Path) -> None:
    bars = len(parse_mt5_csv(path).ts)
    ours = timed_runs(lambda: parse_mt5_csv(path), warm_up=True)[0]
    peer = timed_runs(lambda: pandas_read(path), warm_up=True)[0]
    whole = import_seconds(path)
    print(f"{name:<44} {bars:>10,} {bars / ours:>14,.0f} {bars / peer:>14,.0f} {peer / ours:>7.2f}x"
          f" {bars / whole:>14,.0f} {peer / whole:>7.2f}x")


def main() -> None:
    print(f"{'file':<44} {'bars':>10} {'parse bars/s':>14} {'pandas bars/s':>14} {'ratio':>8}"
          f" {'import bars/s':>14} {'ratio':>8}")
    if SHARED.is_dir():
        for path in sorted(SHARED.glob("*.csv")):
            row(path.name, path)
    else:
        print(f"(shared exports not found at {SHARED}; skipped)")
    with tempfile.TemporaryDirectory() as tmp:
        row("generated EURUSD_M1 (1,000,000 bars)", write_big(Path(tmp) / "EURUSD_M1.csv"))
    print("ratio = pandas time / Kinetra time (higher is faster); import = parse + validate + UTC + store write")


if __name__ == "__main__":
    main()
