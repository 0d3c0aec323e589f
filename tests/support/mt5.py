"""Write MT5-style CSV exports for tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HEADER = "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>"
SHARED_MT5 = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mt5"


def make_bars(n: int, start: str = "2024-01-02 00:00", freq: str = "h", seed: int = 1) -> pd.DataFrame:
    """Return n valid OHLC bars at `freq` with a deterministic random walk."""
    rng = np.random.default_rng(seed)
    close = np.round(1.1 + np.cumsum(rng.normal(0, 0.001, n)), 5)
    open_ = np.round(np.r_[1.1, close[:-1]], 5)
    high = np.round(np.maximum(open_, close) + rng.uniform(0, 0.0005, n), 5)
    low = np.round(np.minimum(open_, close) - rng.uniform(0, 0.0005, n), 5)
    return pd.DataFrame({
        "time": pd.date_range(start, periods=n, freq=freq), "open": open_, "high": high, "low": low,
        "close": close, "tick_volume": rng.integers(1, 5000, n), "volume": 0, "spread": rng.integers(0, 20, n),
    })


def write_mt5(path: Path, bars: pd.DataFrame, sep: str = "\t", eol: str = "\r\n") -> Path:
    """Write bars as an MT5 export (DATE and TIME columns) and return the path."""
    lines = [HEADER.replace("\t", sep)]
    for row in bars.itertuples(index=False):
        t = row.time
        lines.append(sep.join([t.strftime("%Y.%m.%d"), t.strftime("%H:%M:%S"), f"{row.open:.5f}",
                               f"{row.high:.5f}", f"{row.low:.5f}", f"{row.close:.5f}", str(row.tick_volume),
                               str(row.volume), str(row.spread)]))
    path.write_bytes((eol.join(lines) + eol).encode())
    return path
