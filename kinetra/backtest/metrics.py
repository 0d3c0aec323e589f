"""Performance metrics of a backtest, each defined in its docstring; edge cases give NaN or 0, never raise.

Returns are simple per-bar returns of the equity marked at each close (the first bar against the
initial equity). Annualisation uses bars per year from the series' learned weekly calendar (open
slots per week x 52.18), not a constant, so a 24/5 FX H1 series, a 23/5 index and a 24/7 crypto
series each get their own factor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kinetra.data.bars_frame import modal_spacing
from kinetra.data.health.session_calendar import learn_calendar

WEEKS_PER_YEAR = 52.18
NAN = float("nan")


def bars_per_year(index: pd.DatetimeIndex, threshold: float = 0.9) -> float:
    """Bars per year: open slots per week of the learned calendar x 52.18.

    Falls back to bars per elapsed year when the calendar learns no open slot (a very short
    series), and NaN for fewer than two bars.
    """
    if len(index) < 2:
        return NAN
    ts = np.asarray(index.as_unit("s").asi8, dtype=np.int64)
    step = modal_spacing(ts)
    if step:
        open_slots = int(learn_calendar(ts, step, threshold).open.sum())
        if open_slots > 0:
            return open_slots * WEEKS_PER_YEAR
    years = (ts[-1] - ts[0]) / (365.25 * 86400)
    return len(ts) / years if years > 0 else NAN


def _returns(equity: np.ndarray, initial: float) -> np.ndarray:
    prev = np.r_[initial, equity[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0, equity / prev - 1.0, 0.0)


def sharpe(r: np.ndarray, per_year: float) -> float:
    """Mean / sample std (ddof 1) of per-bar returns x sqrt(bars per year), risk-free 0; NaN if std is 0."""
    if len(r) < 2:
        return NAN
    sd = r.std(ddof=1)
    return float(r.mean() / sd * math.sqrt(per_year)) if sd > 0 else NAN


def sortino(r: np.ndarray, per_year: float) -> float:
    """Mean / downside deviation sqrt(mean(min(r, 0)^2)) x sqrt(bars per year); NaN with no losing bar."""
    if len(r) < 2:
        return NAN
    dd = math.sqrt(float(np.mean(np.minimum(r, 0.0) ** 2)))
    return float(r.mean() / dd * math.sqrt(per_year)) if dd > 0 else NAN


def omega(r: np.ndarray) -> float:
    """Sum of per-bar gains over sum of per-bar losses (threshold 0); NaN with no losing bar."""
    loss = float(-r[r < 0].sum())
    return float(r[r > 0].sum()) / loss if loss > 0 else NAN


def drawdown(equity: np.ndarray, index: pd.DatetimeIndex) -> tuple[float, int, float]:
    """Max drawdown as a fraction of the running peak, and its duration in bars and days.

    The duration runs from the peak before the deepest trough to the first bar back at that peak,
    or to the last bar when it never recovered; 0 when equity never fell.
    """
    if len(equity) == 0:
        return 0.0, 0, 0.0
    peak = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, 1.0 - equity / peak, 0.0)
    trough = int(np.argmax(dd))
    if dd[trough] <= 0:
        return 0.0, 0, 0.0
    start = int(np.flatnonzero(equity[: trough + 1] == peak[trough])[-1])
    back = np.flatnonzero(equity[trough:] >= peak[trough])
    end = trough + int(back[0]) if len(back) else len(equity) - 1
    days = (index[end] - index[start]).total_seconds() / 86400
    return float(dd[trough]), end - start, float(days)


def runs_z_score(net: np.ndarray) -> float:
    """Wald-Wolfowitz Z of win/loss runs: (N(R - 0.5) - X) / sqrt(X(X - N) / (N - 1)), X = 2WL.

    A win is net > 0. Negative Z: fewer runs than chance (streaky); NaN with < 2 trades or one outcome only.
    """
    n = len(net)
    wins = net > 0
    x = 2.0 * wins.sum() * (n - wins.sum())
    if n < 2 or x <= n:
        return NAN
    runs = 1 + int(np.count_nonzero(wins[1:] != wins[:-1]))
    return float((n * (runs - 0.5) - x) / math.sqrt(x * (x - n) / (n - 1)))


def trade_metrics(trades: pd.DataFrame) -> dict[str, float]:
    """Win rate, profit factor, expectancy, runs Z, MFE captured and cost share over closed trades.

    win_rate: share of trades with net > 0 (NaN: no trades). profit_factor: sum of winning nets /
    |sum of losing nets| (NaN: no losing trade). expectancy: mean net per trade in money (NaN: no
    trades). mfe_captured: sum of gross / sum of MFE, the share of the best open profit the exits
    kept (NaN: no MFE). cost_share: (spread + commission + slippage - swap) / sum |gross| (NaN: no gross).
    """
    if trades.empty:
        return {"win_rate": NAN, "profit_factor": NAN, "expectancy": NAN, "z_score": NAN, "mfe_captured": NAN,
                "cost_share": NAN}
    net = trades["net"].to_numpy()
    losses = -net[net <= 0].sum()
    mfe = trades["mfe"].sum()
    gross_abs = trades["gross"].abs().sum()
    costs = trades["spread_cost"].sum() + trades["commission"].sum() + trades["slippage"].sum() - trades["swap"].sum()
    return {
        "win_rate": float((net > 0).mean()),
        "profit_factor": float(net[net > 0].sum() / losses) if losses > 0 else NAN,
        "expectancy": float(net.mean()),
        "z_score": runs_z_score(net),
        "mfe_captured": float(trades["gross"].sum() / mfe) if mfe > 0 else NAN,
        "cost_share": float(costs / gross_abs) if gross_abs > 0 else NAN,
    }


def compute_metrics(equity: pd.Series, trades: pd.DataFrame, exposed: np.ndarray, initial_equity: float,
                    per_year: float | None = None) -> dict[str, Any]:
    """Return every metric of a run; see the module and helper docstrings for definitions.

    total_return: final / initial - 1. cagr: (final / initial) ^ (1 / years) - 1 with years = bars /
    bars per year (-1 when equity ends at or below 0). calmar: cagr / max_drawdown (NaN: no drawdown).
    trades_per_day: trades / calendar days spanned (NaN: < 1 day). exposure: share of bars holding a
    position at the close.
    """
    values = equity.to_numpy(dtype=np.float64)
    n = len(values)
    per_year = bars_per_year(equity.index) if per_year is None else per_year
    final = float(values[-1]) if n else initial_equity
    r = _returns(values, initial_equity)
    years = n / per_year if per_year and per_year > 0 else NAN
    growth = final / initial_equity
    cagr = (growth ** (1.0 / years) - 1.0 if growth > 0 else -1.0) if years > 0 else NAN
    max_dd, dd_bars, dd_days = drawdown(values, equity.index)
    days = (equity.index[-1] - equity.index[0]).total_seconds() / 86400 if n > 1 else 0.0
    return {
        "total_return": growth - 1.0, "cagr": cagr, "sharpe": sharpe(r, per_year), "sortino": sortino(r, per_year),
        "calmar": cagr / max_dd if max_dd > 0 else NAN, "omega": omega(r), "max_drawdown": max_dd,
        "max_drawdown_bars": dd_bars, "max_drawdown_days": dd_days, "trades": len(trades),
        "trades_per_day": len(trades) / days if days >= 1 else NAN,
        "exposure": float(np.mean(exposed)) if n else 0.0, "final_equity": final, "bars_per_year": per_year,
    } | trade_metrics(trades)
