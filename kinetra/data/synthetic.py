"""A deterministic, realistic synthetic market: the demo dataset and a fixture source.

Bars are generated at M15 on each market's own session calendar (weekend closes, daily breaks,
7-day crypto) with Markov volatility regimes and an intraday profile, then aggregated to H1 and
H4 so every timeframe of a symbol agrees exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinetra.data.timeframes import TIMEFRAME_SECONDS, parse_timeframe

BASE = "M15"
DEFAULT_END = pd.Timestamp("2026-11-20 21:00", tz="UTC")
_REGIME_MULT = np.array([0.6, 1.0, 2.2])
_REGIME_MEAN_BARS = np.array([2500.0, 3500.0, 700.0])
_REGIME_P = np.array([0.35, 0.5, 0.15])


@dataclass(frozen=True)
class SyntheticSymbol:
    """A market to simulate: price scale, volatility, spread and session calendar."""

    symbol: str
    asset_class: str
    start_price: float
    digits: int
    annual_vol: float
    typical_spread: int
    session: str
    """fx | metals | indices | energy | crypto"""


DEMO_SYMBOLS: tuple[SyntheticSymbol, ...] = (
    SyntheticSymbol("EURUSD", "forex", 1.0850, 5, 0.07, 8, "fx"),
    SyntheticSymbol("GBPUSD", "forex", 1.2650, 5, 0.08, 10, "fx"),
    SyntheticSymbol("XAUUSD", "metals", 2050.0, 2, 0.15, 25, "metals"),
    SyntheticSymbol("US500", "indices", 4750.0, 1, 0.17, 5, "indices"),
    SyntheticSymbol("UKOUSD", "energy", 78.0, 3, 0.32, 30, "energy"),
    SyntheticSymbol("BTCUSD", "crypto", 42000.0, 2, 0.55, 1500, "crypto"),
)


@dataclass(frozen=True)
class SyntheticSeries:
    """One generated series with the defects injected into it."""

    symbol: str
    asset_class: str
    timeframe: str
    bars: pd.DataFrame
    defects: list[dict] = field(default_factory=list)


def session_open(times: pd.DatetimeIndex, session: str) -> np.ndarray:
    """Tell which bar-open times (UTC) fall inside a session calendar."""
    dow = np.asarray(times.day_of_week)  # Monday=0 .. Sunday=6
    hour = np.asarray(times.hour)
    weekday = dow <= 4
    if session == "crypto":
        return np.ones(len(times), dtype=bool)
    if session == "energy":
        return weekday & (hour >= 1) & (hour < 23) & ~((dow == 4) & (hour >= 21))
    open_hour, close_hour, break_hour = {"fx": (22, 22, None), "metals": (23, 22, 22), "indices": (23, 21, 21)}[session]
    week = (weekday & ~((dow == 4) & (hour >= close_hour))) | ((dow == 6) & (hour >= open_hour))
    if break_hour is not None:
        week &= hour != break_hour
    return week


def _intraday_profile(hours: np.ndarray, session: str) -> np.ndarray:
    """Relative activity by UTC hour: London and New York sessions busiest, Asia quiet."""
    if session == "crypto":
        return 0.8 + 0.4 * np.exp(-0.5 * ((hours - 15) / 4.0) ** 2)
    london = np.exp(-0.5 * ((hours - 9) / 2.5) ** 2)
    new_york = np.exp(-0.5 * ((hours - 15) / 2.5) ** 2)
    return 0.45 + 0.8 * london + 1.0 * new_york


def _regimes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Persistent volatility regimes: calm, normal, turbulent, with geometric durations."""
    count = max(4, int(3 * n / _REGIME_MEAN_BARS.min()))
    states = rng.choice(3, size=count, p=_REGIME_P)
    lengths = np.maximum(1, rng.geometric(1.0 / _REGIME_MEAN_BARS[states])).astype(np.int64)
    return np.repeat(states, lengths)[:n] if lengths.sum() >= n else np.resize(np.repeat(states, lengths), n)


def _base_times(sym: SyntheticSymbol, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    step = pd.Timedelta(seconds=TIMEFRAME_SECONDS[BASE])
    times = pd.date_range(start.floor("h"), end, freq=step, tz="UTC", inclusive="left").as_unit("us")
    return times[session_open(times, sym.session)]


def generate_bars(sym: SyntheticSymbol, timeframe: str, start: pd.Timestamp, end: pd.Timestamp,
                  seed: int) -> pd.DataFrame:
    """Return bars of `sym` at `timeframe` over [start, end), deterministic by seed."""
    base = _generate_base(sym, start, end, seed)
    return aggregate(base, parse_timeframe(timeframe))


def _generate_base(sym: SyntheticSymbol, start: pd.Timestamp, end: pd.Timestamp, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, sum(map(ord, sym.symbol))])
    times = _base_times(sym, start, end)
    n = len(times)
    years = max((end - start).total_seconds() / (365.25 * 86400), 1e-9)
    sigma = sym.annual_vol / np.sqrt(n / years)
    hours = np.asarray(times.hour, dtype=float)
    profile = _intraday_profile(hours, sym.session)
    regime = _regimes(n, rng)
    vol = sigma * _REGIME_MULT[regime] * profile / profile.mean()
    shocks = rng.standard_t(5, size=n) / np.sqrt(5 / 3)
    log_ret = vol * shocks - 0.5 * vol**2
    close_raw = sym.start_price * np.exp(np.cumsum(log_ret))
    open_raw = np.r_[sym.start_price, close_raw[:-1]]
    wick = np.abs(rng.normal(0, 0.6, (2, n))) * vol
    scale = 10.0**sym.digits
    open_ = np.round(open_raw * scale) / scale
    close = np.round(close_raw * scale) / scale
    high = np.ceil(np.maximum(open_raw, close_raw) * np.exp(wick[0]) * scale) / scale
    low = np.floor(np.minimum(open_raw, close_raw) * np.exp(-wick[1]) * scale) / scale
    activity = profile * (1 + 8 * np.abs(log_ret) / vol.mean()) * rng.lognormal(0, 0.3, n)
    tick_volume = np.maximum(1, np.round(40 * activity)).astype(np.int64)
    gap_before = np.r_[True, np.diff(times.asi8) > TIMEFRAME_SECONDS[BASE] * 10**6]
    widen = 1 + 0.4 * (regime == 2) + 1.5 * gap_before
    spread = np.maximum(1, np.round(sym.typical_spread * widen * rng.lognormal(0, 0.15, n))).astype(np.int64)
    return pd.DataFrame(
        {"open": open_, "high": np.maximum(high, np.maximum(open_, close)), "low": np.minimum(low, np.minimum(open_, close)),
         "close": close, "tick_volume": tick_volume, "volume": np.zeros(n, dtype=np.int64), "spread": spread},
        index=pd.DatetimeIndex(times, name="time"),
    )


def aggregate(bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """Aggregate bars to a coarser timeframe by UTC buckets: first open, max high, min low, last close."""
    if timeframe == BASE:
        return bars.copy()
    bucket = bars.index.floor(pd.Timedelta(seconds=TIMEFRAME_SECONDS[timeframe]))
    grouped = bars.groupby(bucket)
    out = pd.DataFrame({
        "open": grouped["open"].first(), "high": grouped["high"].max(), "low": grouped["low"].min(),
        "close": grouped["close"].last(), "tick_volume": grouped["tick_volume"].sum(),
        "volume": grouped["volume"].sum(), "spread": grouped["spread"].max(),
    })
    out.index.name = "time"
    return out


def _inject_gap(base: pd.DataFrame, hours: int = 5) -> tuple[pd.DataFrame, dict]:
    """Drop `hours` consecutive hours starting 09:00 UTC on a Wednesday near the middle."""
    mid = base.index[len(base) // 2].normalize()
    wednesday = mid + pd.Timedelta(days=(2 - mid.day_of_week) % 7)
    start = wednesday + pd.Timedelta(hours=9)
    end = start + pd.Timedelta(hours=hours)
    keep = (base.index < start) | (base.index >= end)
    defect = {"kind": "gap", "timeframe": "H1", "start": start, "end": end - pd.Timedelta(hours=1),
              "missing_bars": hours}
    return base[keep], defect


def _inject_spike(base: pd.DataFrame, times_max: float = 2.5) -> tuple[pd.DataFrame, dict]:
    """Make one hour's close jump `times_max` x the largest hourly move and revert next bar (a bad tick)."""
    out = base.copy()
    hourly = aggregate(base, "H1")
    jump = times_max * np.log(hourly["close"]).diff().abs().max()
    i = int(len(out) * 0.37)
    while out.index[i].minute != 45 or out.index[i + 1] - out.index[i] != pd.Timedelta(minutes=15):
        i += 1
    at = out.index[i]
    cols = {c: out.columns.get_loc(c) for c in ("open", "high", "low", "close")}
    jumped = round(out.iat[i, cols["open"]] * np.exp(jump), 5)
    back = out.iat[i + 1, cols["close"]]
    out.iat[i, cols["close"]] = jumped
    out.iat[i, cols["high"]] = max(out.iat[i, cols["high"]], jumped)
    out.iat[i + 1, cols["open"]] = jumped
    out.iat[i + 1, cols["high"]] = max(out.iat[i + 1, cols["high"]], jumped)
    out.iat[i + 1, cols["low"]] = min(out.iat[i + 1, cols["low"]], back)
    return out, {"kind": "spike", "timeframe": "H1", "at": at.floor("h"), "detail": f"close jumps {times_max}x the largest hourly move and reverts"}


def demo_dataset(seed: int = 7, end: pd.Timestamp | None = None, years: float = 2.0) -> list[SyntheticSeries]:
    """Return the demo dataset: six markets at H1 and H4, EURUSD also at M15, with a gap and a spike."""
    end = end if end is not None else DEFAULT_END
    start = (end - pd.Timedelta(days=round(365.25 * years))).floor("D")
    series: list[SyntheticSeries] = []
    for sym in DEMO_SYMBOLS:
        base = _generate_base(sym, start, end, seed)
        defects: list[dict] = []
        if sym.symbol == "XAUUSD":
            base, defect = _inject_gap(base)
            defects.append(defect)
        if sym.symbol == "GBPUSD":
            base, defect = _inject_spike(base)
            defects.append(defect)
        frames = ["M15", "H1", "H4"] if sym.symbol == "EURUSD" else ["H1", "H4"]
        for tf in frames:
            series.append(SyntheticSeries(sym.symbol, sym.asset_class, tf, aggregate(base, tf), list(defects)))
    return series
