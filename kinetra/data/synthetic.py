"""A deterministic, realistic synthetic market: the demo dataset and a fixture source.

Bars are generated at M15 on each market's own session calendar (weekend closes, daily breaks,
7-day crypto) with persistent volatility regimes and an intraday profile, then aggregated to H1 and
H4 so every timeframe of a symbol agrees exactly. Everything is a pure function of its arguments
and the seed: no wall clock, no I/O.

The demo dataset's exact values are pinned by the TUI snapshot tests (tests/tui/__snapshots__):
any change to the numbers drawn here shows up there and needs those snapshots regenerated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinetra.data.timeframes import TIMEFRAME_SECONDS, parse_timeframe
from kinetra.errors import KinetraError

BASE = "M15"
DEFAULT_END = pd.Timestamp("2026-11-20 21:00", tz="UTC")
BAR_COLUMNS = ("open", "high", "low", "close", "tick_volume", "volume", "spread")
_BASE_SECONDS = TIMEFRAME_SECONDS[BASE]
_REGIME_MULT = np.array([0.6, 1.0, 2.2])  # calm, normal, turbulent volatility multipliers
_REGIME_MEAN_BARS = np.array([2500.0, 3500.0, 700.0])  # mean regime durations in M15 bars (~26, 36, 7 days)
_REGIME_P = np.array([0.35, 0.5, 0.15])
_TICKS_PER_M15 = 40


class UnsupportedTimeframeError(KinetraError):
    """A timeframe the generator cannot build from fixed UTC buckets (W1, MN1)."""

    exit_code = 2


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
    """One generated series with the defects injected into it.

    Defects are stated in H1 terms ("timeframe": "H1") and repeated on every timeframe of the symbol:
    a gap is {"kind": "gap", "start", "end" (open of the last missing H1 bar), "missing_bars"}; a spike
    is {"kind": "spike", "at" (H1 bar whose close jumps), "price", "log_jump", "detail"}.
    """

    symbol: str
    asset_class: str
    timeframe: str
    bars: pd.DataFrame
    defects: list[dict] = field(default_factory=list)


def session_open(times: pd.DatetimeIndex, session: str) -> np.ndarray:
    """Tell which bar-open times (UTC) fall inside a session calendar.

    fx: Sun 22:00 to Fri 22:00, no daily break. metals: Sun 23:00 to Fri 22:00, break 22:00-23:00.
    indices: Sun 23:00 to Fri 21:00, break 21:00-22:00. energy: weekdays 01:00-23:00, Fri to 21:00.
    crypto: always.
    """
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


def _regimes(n: int, rng: np.random.Generator, bars_per_m15: float = 1.0) -> np.ndarray:
    """Hidden volatility regime per bar (0 calm, 1 normal, 2 turbulent) with persistent geometric durations."""
    mean_bars = _REGIME_MEAN_BARS * bars_per_m15
    count = max(4, int(3 * n / mean_bars.min()))
    states = rng.choice(3, size=count, p=_REGIME_P)
    lengths = np.maximum(1, rng.geometric(1.0 / mean_bars[states])).astype(np.int64)
    return np.repeat(states, lengths)[:n] if lengths.sum() >= n else np.resize(np.repeat(states, lengths), n)


def _utc(ts: pd.Timestamp | str) -> pd.Timestamp:
    """Return `ts` as a UTC timestamp; a naive one is taken to be UTC already."""
    ts = pd.Timestamp(ts)
    return ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")


def _base_seconds(timeframe: str) -> int:
    """Bar length to simulate at for `timeframe`: M15, or a divisor of it that tiles the timeframe."""
    if timeframe in ("W1", "MN1"):
        raise UnsupportedTimeframeError(f"synthetic bars come in fixed UTC buckets up to D1, not {timeframe}")
    tf_s = TIMEFRAME_SECONDS[timeframe]
    return tf_s if tf_s < _BASE_SECONDS else math.gcd(_BASE_SECONDS, tf_s)


def _base_times(sym: SyntheticSymbol, start: pd.Timestamp, end: pd.Timestamp, step_s: int) -> pd.DatetimeIndex:
    """Open times of every `step_s` bar in [start, end) at which the market's session is open."""
    step = pd.Timedelta(seconds=step_s)
    times = pd.date_range(start.ceil(step), end, freq=step, tz="UTC", inclusive="left").as_unit("us")
    return times[session_open(times, sym.session)]


def _empty_bars() -> pd.DataFrame:
    """A bars frame with no rows and the right dtypes."""
    cols = {c: np.empty(0, np.float64 if c in ("open", "high", "low", "close") else np.int64) for c in BAR_COLUMNS}
    return pd.DataFrame(cols, index=pd.DatetimeIndex([], tz="UTC", name="time").as_unit("us"))


def generate_bars(sym: SyntheticSymbol, timeframe: str, start: pd.Timestamp, end: pd.Timestamp,
                  seed: int) -> pd.DataFrame:
    """Return bars of `sym` at `timeframe` opening in [start, end) UTC, bit-identical for the same seed.

    M15 and every coarser timeframe up to D1 aggregate one M15 path, so for the same arguments they
    agree with each other (a bucket cut by `start` is left out, one cut by `end` is kept as a
    forming bar); finer timeframes are simulated at their own bar length, a separate path.
    """
    tf = parse_timeframe(timeframe)
    step_s = _base_seconds(tf)
    start, end = _utc(start), _utc(end)
    base = _generate_base(sym, start, end, seed, step_s)
    if TIMEFRAME_SECONDS[tf] == step_s:
        return base
    bars = aggregate(base, tf)
    return bars[bars.index >= start]


def _generate_base(sym: SyntheticSymbol, start: pd.Timestamp, end: pd.Timestamp, seed: int,
                   step_s: int = _BASE_SECONDS) -> pd.DataFrame:
    """Simulate the fine bars every coarser timeframe is aggregated from."""
    rng = np.random.default_rng([seed, sum(map(ord, sym.symbol))])
    times = _base_times(sym, start, end, step_s)
    n = len(times)
    if n == 0:
        return _empty_bars()
    years = max((end - start).total_seconds() / (365.25 * 86400), 1e-9)
    sigma = sym.annual_vol / np.sqrt(n / years)
    hours = np.asarray(times.hour, dtype=float)
    profile = _intraday_profile(hours, sym.session)
    regime = _regimes(n, rng, _BASE_SECONDS / step_s)
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
    tick_volume = np.maximum(1, np.round(_TICKS_PER_M15 * (step_s / _BASE_SECONDS) * activity)).astype(np.int64)
    gap_before = np.r_[True, np.diff(times.asi8) > step_s * 10**6]
    widen = 1 + 0.4 * (regime == 2) + 1.5 * gap_before
    spread = np.maximum(1, np.round(sym.typical_spread * widen * rng.lognormal(0, 0.15, n))).astype(np.int64)
    high, low = np.maximum(high, np.maximum(open_, close)), np.minimum(low, np.minimum(open_, close))
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "tick_volume": tick_volume,
         "volume": np.zeros(n, dtype=np.int64), "spread": spread},
        index=pd.DatetimeIndex(times, name="time"),
    )


def aggregate(bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """Aggregate bars to a coarser timeframe by UTC buckets: first open, max high, min low, last close.

    tick_volume and volume are summed, spread is the widest; buckets with no bars are absent.
    """
    timeframe = parse_timeframe(timeframe)
    if timeframe == BASE:
        return bars.copy()
    _base_seconds(timeframe)  # rejects W1/MN1, which are not fixed UTC buckets
    bucket = bars.index.floor(pd.Timedelta(seconds=TIMEFRAME_SECONDS[timeframe]))
    grouped = bars.groupby(bucket)
    out = pd.DataFrame({
        "open": grouped["open"].first(), "high": grouped["high"].max(), "low": grouped["low"].min(),
        "close": grouped["close"].last(), "tick_volume": grouped["tick_volume"].sum(),
        "volume": grouped["volume"].sum(), "spread": grouped["spread"].max(),
    })
    out.index.name = "time"
    return out.astype({c: bars[c].dtype for c in BAR_COLUMNS})


def _gap_start(base: pd.DataFrame, hours: int) -> pd.Timestamp | None:
    """09:00 UTC of the first Wednesday from the middle on (else the nearest before) whose hours are all there."""
    if base.empty:
        return None
    per_hour = 3600 // _BASE_SECONDS
    days = base.index.normalize()
    mid = base.index[len(base) // 2].normalize()
    wednesdays = pd.DatetimeIndex(days[days.day_of_week == 2].unique())
    for day in sorted(wednesdays, key=lambda d: (d < mid, abs(d - mid))):
        start = day + pd.Timedelta(hours=9)
        window = (base.index >= start - pd.Timedelta(hours=1)) & (base.index < start + pd.Timedelta(hours=hours + 1))
        if window.sum() == (hours + 2) * per_hour:
            return start
    return None


def _inject_gap(base: pd.DataFrame, hours: int = 5) -> tuple[pd.DataFrame, list[dict]]:
    """Drop `hours` consecutive hours from 09:00 UTC on a mid-series Wednesday (a feed outage)."""
    start = _gap_start(base, hours)
    if start is None:
        return base, []
    end = start + pd.Timedelta(hours=hours)
    keep = (base.index < start) | (base.index >= end)
    defect = {"kind": "gap", "timeframe": "H1", "start": start, "end": end - pd.Timedelta(hours=1),
              "missing_bars": hours}
    return base[keep], [defect]


def _spike_bar(base: pd.DataFrame) -> int | None:
    """Index of the first base bar from 37% of the series on that closes an hour and is followed at once."""
    step = pd.Timedelta(seconds=_BASE_SECONDS)
    idx = base.index
    ok = (idx[:-1].minute == 45) & (idx[1:] - idx[:-1] == step)
    ok[: int(len(base) * 0.37)] = False
    hits = np.flatnonzero(ok)
    return int(hits[0]) if len(hits) else None


def _inject_spike(base: pd.DataFrame, digits: int = 5, times_max: float = 2.5) -> tuple[pd.DataFrame, list[dict]]:
    """Make one hour's close jump `times_max` x the largest hourly move and revert next bar (a bad tick)."""
    i = _spike_bar(base)
    hourly = aggregate(base, "H1")
    if i is None or len(hourly) < 3:
        return base, []
    out = base.copy()
    jump = times_max * np.log(hourly["close"]).diff().abs().max()
    at = out.index[i]
    cols = {c: out.columns.get_loc(c) for c in ("open", "high", "low", "close")}
    jumped = round(out.iat[i, cols["open"]] * np.exp(jump), digits)
    back = out.iat[i + 1, cols["close"]]
    out.iat[i, cols["close"]] = jumped
    out.iat[i, cols["high"]] = max(out.iat[i, cols["high"]], jumped)
    out.iat[i + 1, cols["open"]] = jumped
    out.iat[i + 1, cols["high"]] = max(out.iat[i + 1, cols["high"]], jumped)
    out.iat[i + 1, cols["low"]] = min(out.iat[i + 1, cols["low"]], back)
    defect = {"kind": "spike", "timeframe": "H1", "at": at.floor("h"), "price": float(jumped), "log_jump": float(jump),
              "detail": f"close jumps {times_max}x the largest hourly move and reverts"}
    return out, [defect]


def demo_span(end: pd.Timestamp | None = None, years: float = 2.0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The [start, end) the demo dataset covers."""
    end = _utc(end) if end is not None else DEFAULT_END
    return (end - pd.Timedelta(days=round(365.25 * years))).floor("D"), end


def demo_base(sym: SyntheticSymbol, seed: int, end: pd.Timestamp | None = None,
              years: float = 2.0) -> tuple[pd.DataFrame, list[dict]]:
    """The demo's M15 path of one market with its planted defects (a gap in XAUUSD, a spike in GBPUSD)."""
    start, end = demo_span(end, years)
    base = _generate_base(sym, start, end, seed)
    if sym.symbol == "XAUUSD":
        return _inject_gap(base)
    if sym.symbol == "GBPUSD":
        return _inject_spike(base, sym.digits)
    return base, []


def demo_dataset(seed: int = 7, end: pd.Timestamp | None = None, years: float = 2.0) -> list[SyntheticSeries]:
    """Return the demo dataset: six markets at H1 and H4, EURUSD also at M15, with a gap and a spike."""
    series: list[SyntheticSeries] = []
    for sym in DEMO_SYMBOLS:
        base, defects = demo_base(sym, seed, end, years)
        frames = ["M15", "H1", "H4"] if sym.symbol == "EURUSD" else ["H1", "H4"]
        for tf in frames:
            series.append(SyntheticSeries(sym.symbol, sym.asset_class, tf, aggregate(base, tf), list(defects)))
    return series
