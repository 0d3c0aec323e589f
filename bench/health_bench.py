"""Health scan speed: 100 series x 50,000 H1 bars, Kinetra against a pandas reference. Target: <= 2 s end to end.

Prints the compute time of a scan (calendar, gaps, bar checks) over in-memory arrays, and the
end-to-end `scan_store` time on a store holding the same bars (reads the store, holidays, stores
the reports), each against a straightforward pandas implementation of the same calendar, gap and
spike logic measured in the same run (end to end: the bars read from the store with `.df()`).
Kinetra's times are the best of 3 runs (the machine's other work only ever adds time).
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
from kinetra.config import HealthConfig  # noqa: E402
from kinetra.data.bars_frame import BAR_COLUMNS, PreparedSeries  # noqa: E402
from kinetra.data.health.scan import scan_one, scan_store  # noqa: E402
from kinetra.data.inventory import list_series  # noqa: E402
from kinetra.data.synthetic import DEMO_SYMBOLS, generate_bars  # noqa: E402
from kinetra.data.writer import write_series  # noqa: E402
from kinetra.store import Store  # noqa: E402

SERIES, BARS = 100, 50_000


def make_series(seed: int) -> pd.DataFrame:
    """About BARS H1 bars of a demo market with a few holes, deterministic by seed."""
    sym = DEMO_SYMBOLS[seed % len(DEMO_SYMBOLS)]
    end = pd.Timestamp("2026-11-20 21:00", tz="UTC")
    per_week = {"crypto": 168, "energy": 109}.get(sym.session, 118)
    bars = generate_bars(sym, "H1", end - pd.Timedelta(weeks=int(BARS / per_week) + 1), end, seed=seed).iloc[-BARS:]
    rng = np.random.default_rng(seed)
    return bars.drop(bars.index[rng.choice(len(bars), 20, replace=False)])


def pandas_reference(bars: pd.DataFrame) -> int:
    """The peer: weekly occupancy by groupby, gaps by reindexing, spikes by rolling median/MAD."""
    full = pd.date_range(bars.index[0], bars.index[-1], freq="h")
    present = pd.Series(full.isin(bars.index), index=full)
    slot = full.day_of_week * 24 + full.hour
    occupancy = present.groupby(slot).mean()
    open_ = occupancy.reindex(slot).to_numpy() >= 0.9
    missing = open_ & ~present.to_numpy()
    ret = np.log(bars["close"]).diff()
    med = ret.shift(1).rolling(200, min_periods=30).median()
    mad = (ret - med).abs().shift(1).rolling(200, min_periods=30).median()
    return int(missing.sum()) + int(((ret - med).abs() / (1.4826 * mad) > 15).sum())


def pandas_end_to_end(store: Store) -> int:
    """The peer end to end: every series' bars read into one DataFrame, split by series, the reference run on each."""
    with store.session() as con:
        bars = con.execute("SELECT series_id, ts, open, high, low, close, spread FROM bars ORDER BY series_id, ts").df()
    return sum(pandas_reference(group.set_index("ts")) for _, group in bars.groupby("series_id", sort=False))


def main() -> None:
    frames = [make_series(seed) for seed in range(SERIES)]
    total = sum(len(f) for f in frames)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "kinetra.duckdb")
        items = []
        for i, frame in enumerate(frames):
            data = frame.reset_index().rename(columns={"time": "ts"})
            data["ts"] = data["ts"].dt.tz_localize(None)
            items.append(PreparedSeries("bench", f"S{i:03d}", "H1", DEMO_SYMBOLS[i % 6].asset_class, "synthetic",
                                        "bench", data[["ts", *BAR_COLUMNS]]))
        write_series(store, items)
        infos = list_series(store)
        arrays = [{"ts": f.index.as_unit("s").asi8, **{c: f[c].to_numpy() for c in ("open", "high", "low", "close", "spread")}}
                  for f in frames]
        cfg = HealthConfig()
        scan_one(infos[0], arrays[0], cfg)  # warm-up (numba, pandas)
        ours = timed_runs(lambda: [scan_one(info, arr, cfg) for info, arr in zip(infos, arrays, strict=True)])
        start = time.perf_counter()
        for frame in frames:
            pandas_reference(frame)
        peer = time.perf_counter() - start
        whole = timed_runs(lambda: scan_store(store))
        start = time.perf_counter()
        pandas_end_to_end(store)
        peer_whole = time.perf_counter() - start
    runs = ", ".join(f"{t:.3f}" for t in whole)
    print(f"{SERIES} series, {total:,} bars; kinetra best of 3, pandas once")
    print(f"kinetra scan compute  {ours[0]:7.3f} s  {total / ours[0]:>12,.0f} bars/s")
    print(f"pandas reference      {peer:7.3f} s  {total / peer:>12,.0f} bars/s   ratio {peer / ours[0]:.2f}x")
    print(f"scan_store end to end {whole[0]:7.3f} s  {total / whole[0]:>12,.0f} bars/s   (target <= 2 s; runs: {runs})")
    print(f"pandas end to end     {peer_whole:7.3f} s  {total / peer_whole:>12,.0f} bars/s   "
          f"ratio {peer_whole / whole[0]:.2f}x   (reads the store with .df(); no holidays, nothing stored)")


if __name__ == "__main__":
    main()
