"""Public backtest API: validate bars and positions, lay them out for the kernel, wrap the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kinetra.backtest import engine
from kinetra.backtest.costs import bar_spreads, rollover_nights
from kinetra.backtest.metrics import compute_metrics
from kinetra.backtest.spec import SymbolSpec
from kinetra.data.bars_frame import modal_spacing
from kinetra.errors import BacktestInputError

FILL_MODES = ("next_open", "close")
SIZINGS = ("fraction", "lots")
PRICE_COLUMNS = ("open", "high", "low", "close")
TRADE_COLUMNS = ("entry_time", "exit_time", "entry_price", "exit_price", "side", "size", "gross", "spread_cost",
                 "commission", "swap", "slippage", "net", "mfe", "mae", "bars_held", "exit_reason")


@dataclass
class BacktestResult:
    """Equity per bar (marked at the close), closed trades, metrics, and lots held per bar."""

    equity: pd.Series
    trades: pd.DataFrame
    metrics: dict[str, Any]
    held: pd.DataFrame = field(repr=False)
    """Signed lots held at each bar's close, one column per series."""

    def to_json(self, last_trades: int | None = None) -> dict[str, Any]:
        """Return JSON-ready metrics, trade count, final equity and trades (NaN as null, times ISO UTC)."""
        trades = self.trades if last_trades is None else self.trades.tail(last_trades)
        records = []
        for row in trades.to_dict(orient="records"):
            for key in ("entry_time", "exit_time"):
                row[key] = row[key].strftime("%Y-%m-%dT%H:%M:%SZ")
            records.append({k: _plain(v) for k, v in row.items()})
        return {"metrics": {k: _plain(v) for k, v in self.metrics.items()}, "trade_count": len(self.trades),
                "final_equity": _plain(self.metrics["final_equity"]), "trades": records}


def _plain(value: Any) -> Any:
    """A JSON-safe Python scalar: numpy numbers unwrapped, NaN and infinities as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass
class _Series:
    """One validated series on its own index."""

    name: str
    index: pd.DatetimeIndex
    prices: dict[str, np.ndarray]
    spread: np.ndarray | None
    positions: np.ndarray
    spec: SymbolSpec


def _utc_index(bars: pd.DataFrame, name: str) -> pd.DatetimeIndex:
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex):
        raise BacktestInputError(f"{name}: bars must be indexed by time (a DatetimeIndex), not {type(index).__name__}")
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    if len(index) > 1 and not (index[1:] > index[:-1]).all():
        raise BacktestInputError(f"{name}: bar times must be strictly increasing")
    return index


def _prices(bars: pd.DataFrame, index: pd.DatetimeIndex, name: str) -> dict[str, np.ndarray]:
    missing = [c for c in PRICE_COLUMNS if c not in bars.columns]
    if missing:
        raise BacktestInputError(f"{name}: bars lack column(s) {', '.join(missing)}")
    out = {}
    for col in PRICE_COLUMNS:
        values = np.ascontiguousarray(bars[col].to_numpy(dtype=np.float64, na_value=np.nan))
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            raise BacktestInputError(f"{name}: {col} is NaN or infinite at {index[bad[0]]:%Y-%m-%d %H:%M} UTC")
        out[col] = values
    return out


def _positions(positions: Any, n: int, name: str) -> np.ndarray:
    values = np.asarray(positions.to_numpy() if isinstance(positions, pd.Series) else positions, dtype=np.float64)
    if values.ndim != 1 or len(values) != n:
        raise BacktestInputError(f"{name}: {values.size} positions for {n} bars (need one target per bar)")
    if not np.isfinite(values).all():
        raise BacktestInputError(f"{name}: positions hold NaN or infinite values at bar {int(np.argmax(~np.isfinite(values)))}")
    return values


def _series(name: str, bars: Any, positions: Any, spec: SymbolSpec | None) -> _Series:
    if not isinstance(bars, pd.DataFrame):
        raise BacktestInputError(f"{name}: bars must be a DataFrame with open, high, low, close")
    index = _utc_index(bars, name)
    prices = _prices(bars, index, name)
    spread = bars["spread"].to_numpy(dtype=np.float64, na_value=np.nan) if "spread" in bars.columns else None
    return _Series(name, index, prices, spread, _positions(positions, len(bars), name), spec or SymbolSpec())


def _check_options(fill: str, sizing: str, sl: float | None, tp: float | None, equity: float) -> None:
    if fill not in FILL_MODES:
        raise BacktestInputError(f"unknown fill mode {fill!r} (one of {', '.join(FILL_MODES)})")
    if sizing not in SIZINGS:
        raise BacktestInputError(f"unknown sizing {sizing!r} (one of {', '.join(SIZINGS)})")
    for label, value in (("sl_points", sl), ("tp_points", tp)):
        if value is not None and not value > 0:
            raise BacktestInputError(f"{label} must be a positive number of points, not {value}")
    if not initial_equity_ok(equity):
        raise BacktestInputError(f"initial_equity must be positive, not {equity}")


def initial_equity_ok(value: float) -> bool:
    """Tell whether a starting equity is a positive finite number."""
    return bool(np.isfinite(value) and value > 0)


def _event_seconds(index: pd.DatetimeIndex, fill: str) -> np.ndarray:
    """UTC seconds at which fills happen on each bar: the open, or the open plus the bar length."""
    ts = np.asarray(index.as_unit("s").asi8, dtype=np.int64)
    if fill == "close":
        ts = ts + (modal_spacing(ts) or 0)
    return ts


def _params(spec: SymbolSpec, costs: bool, sl: float | None, tp: float | None) -> np.ndarray:
    row = np.zeros(engine.N_PARAMS)
    row[engine.P_POINT], row[engine.P_VPP] = spec.point, spec.value_per_price
    if costs:
        row[engine.P_COMM_LOT], row[engine.P_COMM_PCT] = spec.commission_per_lot, spec.commission_pct
        row[engine.P_SWAP_LONG], row[engine.P_SWAP_SHORT] = spec.swap_long, spec.swap_short
        row[engine.P_SLIP_PTS], row[engine.P_SLIP_FRAC] = spec.slippage_points, spec.slippage_spread_fraction
    row[engine.P_SWAP_MODE] = spec.swap_mode_code
    row[engine.P_SL] = np.nan if sl is None else sl
    row[engine.P_TP] = np.nan if tp is None else tp
    return row


def _layout(series: list[_Series], union: pd.DatetimeIndex, fill: str, costs: bool) -> dict[str, np.ndarray]:
    """Place every series on the union of times as (K, N) arrays with a validity mask."""
    k, n = len(series), len(union)
    out = {name: np.zeros((k, n)) for name in (*PRICE_COLUMNS, "spread", "nights", "target")}
    out["valid"] = np.zeros((k, n), dtype=np.bool_)
    for row, s in enumerate(series):
        at = slice(None) if s.index is union else union.get_indexer(s.index)
        for col in PRICE_COLUMNS:
            out[col][row, at] = s.prices[col]
        if costs:
            out["spread"][row, at] = bar_spreads(s.spread, len(s.index), s.spec)
            out["nights"][row, at] = rollover_nights(_event_seconds(s.index, fill), s.spec)
        out["target"][row, at] = s.positions
        out["valid"][row, at] = True
    return out


def _max_trades(series: list[_Series]) -> int:
    """Upper bound on trades: each needs an entry, and entries happen only where the target changes."""
    return sum(int(np.count_nonzero(np.diff(np.r_[0.0, s.positions]))) for s in series) + 1


def _trades_frame(raw: np.ndarray, union: pd.DatetimeIndex, names: list[str], portfolio: bool) -> pd.DataFrame:
    entry_i, exit_i = raw[:, engine.T_ENTRY_I].astype(np.int64), raw[:, engine.T_EXIT_I].astype(np.int64)
    frame = pd.DataFrame({
        "entry_time": union[entry_i], "exit_time": union[exit_i],
        "entry_price": raw[:, engine.T_ENTRY_PX], "exit_price": raw[:, engine.T_EXIT_PX],
        "side": raw[:, engine.T_SIDE].astype(np.int64), "size": raw[:, engine.T_SIZE],
        "gross": raw[:, engine.T_GROSS], "spread_cost": raw[:, engine.T_SPREAD], "commission": raw[:, engine.T_COMM],
        "swap": raw[:, engine.T_SWAP], "slippage": raw[:, engine.T_SLIP], "net": raw[:, engine.T_NET],
        "mfe": raw[:, engine.T_MFE], "mae": raw[:, engine.T_MAE], "bars_held": exit_i - entry_i,
        "exit_reason": np.asarray(engine.EXIT_REASONS, dtype=object)[raw[:, engine.T_REASON].astype(np.int64)],
    })
    if portfolio:
        frame.insert(0, "symbol", np.asarray(names, dtype=object)[raw[:, engine.T_ASSET].astype(np.int64)])
    return frame.sort_values(["exit_time", "entry_time"], kind="stable").reset_index(drop=True)


def _simulate(series: list[_Series], costs: bool, fill: str, sl: float | None, tp: float | None,
              initial_equity: float, sizing: str, portfolio: bool) -> BacktestResult:
    _check_options(fill, sizing, sl, tp, initial_equity)
    union = series[0].index
    for s in series[1:]:
        union = union.union(s.index)
    if len(union) == 0:
        raise BacktestInputError("no bars to backtest")
    arrays = _layout(series, union, fill, costs)
    params = np.stack([_params(s.spec, costs, sl, tp) for s in series])
    equity, held, raw = engine.simulate(
        arrays["open"], arrays["high"], arrays["low"], arrays["close"], arrays["spread"], arrays["nights"],
        arrays["valid"], arrays["target"], params, fill == "close", sizing == "lots", float(initial_equity),
        _max_trades(series))
    names = [s.name for s in series]
    equity_s = pd.Series(equity, index=union, name="equity")
    trades = _trades_frame(raw, union, names, portfolio)
    held_frame = pd.DataFrame(held.T, index=union, columns=names)
    metrics = compute_metrics(equity_s, trades, (held != 0).any(axis=0), initial_equity)
    return BacktestResult(equity_s, trades, metrics, held_frame)


def run(bars: pd.DataFrame, positions: Any, spec: SymbolSpec | None = None, costs: bool = True,
        fill: str = "next_open", sl_points: float | None = None, tp_points: float | None = None,
        initial_equity: float = 10_000.0, sizing: str = "fraction") -> BacktestResult:
    """Backtest target positions (fraction of equity or lots; sign = side) on one series of bid bars.

    A target decided at bar t fills at bar t+1's open ("next_open") or bar t's close ("close").
    Without `spec`, SymbolSpec() defaults apply (a 5-digit FX pair); `costs=False` drops spread,
    commission, swap and slippage. Bad input raises BacktestInputError with one line.
    """
    return _simulate([_series("bars", bars, positions, spec)], costs, fill, sl_points, tp_points,
                     initial_equity, sizing, portfolio=False)


def run_portfolio(books: dict[str, tuple[pd.DataFrame, Any, SymbolSpec | None]], costs: bool = True,
                  fill: str = "next_open", sl_points: float | None = None, tp_points: float | None = None,
                  initial_equity: float = 10_000.0, sizing: str = "fraction") -> BacktestResult:
    """Backtest several series on one equity, aligned on the union of their bar times.

    `books` maps a name to (bars, positions, spec); a series fills only on its own bars and is
    marked at its last close in between. Fraction sizing is a fraction of the shared equity.
    """
    if not books:
        raise BacktestInputError("run_portfolio needs at least one series")
    series = []
    for name, book in books.items():
        if not isinstance(book, tuple) or len(book) != 3:
            raise BacktestInputError(f"{name}: expected (bars, positions, spec)")
        series.append(_series(name, *book))
    return _simulate(series, costs, fill, sl_points, tp_points, initial_equity, sizing, portfolio=True)
