"""The backtest kernel: one numba loop over bars (and assets) filling target positions with MT5 costs.

Conventions (see costs.py for prices and costs):
- A target applies when it differs from the last target acted on; the open trade is closed and, if
  the new target is not flat, a new one opened (a resize is a close and a reopen). After a stop or
  take-profit exit the asset stays flat until its target changes.
- next-open mode: the target of bar t fills at the open of the asset's next bar; close mode: at the
  close of bar t. Open trades are closed at the last bar's close when the data ends.
- Stops are in points from the entry fill, long ones watched on the bid, short ones on the ask
  (bid + spread); if the open gaps through a level the fill is at the open; if both levels lie in
  one bar's range the stop is assumed hit first.
- Equity is marked at each bar's close: longs at the bid close, shorts at the ask close.
"""

from __future__ import annotations

import numba
import numpy as np

# Trade record columns.
T_ASSET, T_ENTRY_I, T_EXIT_I, T_ENTRY_PX, T_EXIT_PX, T_SIDE, T_SIZE = 0, 1, 2, 3, 4, 5, 6
T_GROSS, T_SPREAD, T_COMM, T_SWAP, T_SLIP, T_NET, T_MFE, T_MAE, T_REASON = 7, 8, 9, 10, 11, 12, 13, 14, 15
N_TRADE_COLS = 16
EXIT_REASONS = ("signal", "stop_loss", "take_profit", "end")

# Per-asset parameter columns.
P_POINT, P_VPP, P_COMM_LOT, P_COMM_PCT, P_SWAP_LONG, P_SWAP_SHORT, P_SWAP_MODE = 0, 1, 2, 3, 4, 5, 6
P_SLIP_PTS, P_SLIP_FRAC, P_SL, P_TP = 7, 8, 9, 10
N_PARAMS = 11

# Per-asset state columns.
S_SIDE, S_LOTS, S_EF, S_EB, S_EI, S_SPR, S_SLIP, S_COMM, S_SWAP = 0, 1, 2, 3, 4, 5, 6, 7, 8
S_MFE, S_MAE, S_SL, S_TP, S_APPLIED, S_DESIRED, S_UNREAL, S_LAST = 9, 10, 11, 12, 13, 14, 15, 16
N_STATE = 17


@numba.njit(cache=True, nogil=True, inline="always")
def _slippage(p: np.ndarray, k: int, s: float) -> float:
    return (p[k, P_SLIP_PTS] + p[k, P_SLIP_FRAC] * s) * p[k, P_POINT]


@numba.njit(cache=True, nogil=True)
def _open(st: np.ndarray, p: np.ndarray, k: int, i: int, b: float, s: float, d: float, eq: float,
          lots_sizing: bool) -> float:
    """Open a trade toward target d at bid price b; return the cash change (minus commission)."""
    side = 1.0 if d > 0 else -1.0
    pt, vpp = p[k, P_POINT], p[k, P_VPP]
    lots = abs(d) if lots_sizing else abs(d) * eq / (b * vpp)
    if not lots > 0.0:
        return 0.0
    slip = _slippage(p, k, s)
    f = b + s * pt + slip if side > 0 else b - slip
    comm = lots * p[k, P_COMM_LOT] + p[k, P_COMM_PCT] * 0.01 * f * vpp * lots
    st[k, S_SIDE], st[k, S_LOTS], st[k, S_EF], st[k, S_EB], st[k, S_EI] = side, lots, f, b, i
    st[k, S_SPR] = s * pt * lots * vpp if side > 0 else 0.0
    st[k, S_SLIP], st[k, S_COMM], st[k, S_SWAP], st[k, S_MFE], st[k, S_MAE] = slip * lots * vpp, comm, 0.0, 0.0, 0.0
    st[k, S_SL] = f - side * p[k, P_SL] * pt
    st[k, S_TP] = f + side * p[k, P_TP] * pt
    return -comm


@numba.njit(cache=True, nogil=True)
def _close(st: np.ndarray, p: np.ndarray, tr: np.ndarray, n: int, k: int, i: int, b: float, s: float,
           reason: int) -> float:
    """Close asset k's trade at bid price b, record it as trade n; return the cash change."""
    side, lots, ef = st[k, S_SIDE], st[k, S_LOTS], st[k, S_EF]
    pt, vpp = p[k, P_POINT], p[k, P_VPP]
    slip = _slippage(p, k, s)
    f = b - slip if side > 0 else b + s * pt + slip
    spread_cost = st[k, S_SPR] + (0.0 if side > 0 else s * pt * lots * vpp)
    slip_cost = st[k, S_SLIP] + slip * lots * vpp
    comm_exit = lots * p[k, P_COMM_LOT] + p[k, P_COMM_PCT] * 0.01 * f * vpp * lots
    pnl = side * (f - ef) * lots * vpp
    gross = side * (b - st[k, S_EB]) * lots * vpp
    comm = st[k, S_COMM] + comm_exit
    row = tr[n]
    row[T_ASSET], row[T_ENTRY_I], row[T_EXIT_I], row[T_ENTRY_PX], row[T_EXIT_PX] = k, st[k, S_EI], i, ef, f
    row[T_SIDE], row[T_SIZE], row[T_GROSS], row[T_SPREAD], row[T_COMM] = side, lots, gross, spread_cost, comm
    row[T_SWAP], row[T_SLIP] = st[k, S_SWAP], slip_cost
    row[T_NET] = gross - spread_cost - slip_cost - comm + st[k, S_SWAP]
    row[T_MFE], row[T_MAE], row[T_REASON] = max(st[k, S_MFE], pnl), max(st[k, S_MAE], -pnl), reason
    st[k, S_SIDE], st[k, S_LOTS], st[k, S_UNREAL] = 0.0, 0.0, 0.0
    return pnl - comm_exit


@numba.njit(cache=True, nogil=True)
def _swap(st: np.ndarray, p: np.ndarray, k: int, nights: float, o: float) -> float:
    """Credit (or charge) the swap of the nights crossed; return the cash change."""
    lots, vpp = st[k, S_LOTS], p[k, P_VPP]
    rate = p[k, P_SWAP_LONG] if st[k, S_SIDE] > 0 else p[k, P_SWAP_SHORT]
    mode = p[k, P_SWAP_MODE]
    if mode == 0:
        per_night = rate * p[k, P_POINT] * vpp * lots
    elif mode == 1:
        per_night = rate * lots
    else:
        per_night = rate * 0.01 / 360.0 * o * vpp * lots
    amount = nights * per_night
    st[k, S_SWAP] += amount
    return amount


@numba.njit(cache=True, nogil=True)
def _stop_exit(st: np.ndarray, p: np.ndarray, k: int, o: float, h: float, low: float, s: float) -> tuple[int, float]:
    """Return (reason, bid exit price) if a stop or take-profit fills in this bar, else (0, 0)."""
    sl, tp = st[k, S_SL], st[k, S_TP]
    if st[k, S_SIDE] > 0:
        if o <= sl:
            return 1, o
        if o >= tp:
            return 2, o
        if low <= sl:
            return 1, sl
        if h >= tp:
            return 2, tp
        return 0, 0.0
    ask = s * p[k, P_POINT]
    if o + ask >= sl:
        return 1, o
    if o + ask <= tp:
        return 2, o
    if h + ask >= sl:
        return 1, sl - ask
    if low + ask <= tp:
        return 2, tp - ask
    return 0, 0.0


@numba.njit(cache=True, nogil=True, inline="always")
def _excursion(st: np.ndarray, p: np.ndarray, k: int, h: float, low: float, s: float) -> None:
    ef, scale, ask = st[k, S_EF], st[k, S_LOTS] * p[k, P_VPP], s * p[k, P_POINT]
    if st[k, S_SIDE] > 0:
        fav, adv = (h - ef) * scale, (ef - low) * scale
    else:
        fav, adv = (ef - low - ask) * scale, (h + ask - ef) * scale
    st[k, S_MFE] = max(st[k, S_MFE], fav)
    st[k, S_MAE] = max(st[k, S_MAE], adv)


@numba.njit(cache=True, nogil=True, inline="always")
def _others(st: np.ndarray, skip: int) -> float:
    total = 0.0
    for j in range(st.shape[0]):
        if j != skip:
            total += st[j, S_UNREAL]
    return total


@numba.njit(cache=True, nogil=True)
def simulate(open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray, spread: np.ndarray,
             nights: np.ndarray, valid: np.ndarray, target: np.ndarray, params: np.ndarray, fill_close: bool,
             lots_sizing: bool, initial_equity: float, max_trades: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run K assets over N bars (arrays shaped (K, N)); return equity (N,), held lots (K, N), trades."""
    n_assets, n_bars = open_.shape
    equity = np.empty(n_bars)
    held = np.zeros((n_assets, n_bars))
    tr = np.zeros((max_trades, N_TRADE_COLS))
    st = np.zeros((n_assets, N_STATE))
    n_tr, cash = 0, initial_equity
    for i in range(n_bars):
        for k in range(n_assets):
            if not valid[k, i]:
                continue
            o, h, lo, c, s = open_[k, i], high[k, i], low[k, i], close[k, i], spread[k, i]
            pt, vpp = params[k, P_POINT], params[k, P_VPP]
            if st[k, S_SIDE] != 0.0 and nights[k, i] > 0.0:
                cash += _swap(st, params, k, nights[k, i], o)
            if not fill_close and st[k, S_DESIRED] != st[k, S_APPLIED]:
                if st[k, S_SIDE] != 0.0:
                    cash += _close(st, params, tr, n_tr, k, i, o, s, 0)
                    n_tr += 1
                if st[k, S_DESIRED] != 0.0:
                    cash += _open(st, params, k, i, o, s, st[k, S_DESIRED], cash + _others(st, k), lots_sizing)
                st[k, S_APPLIED] = st[k, S_DESIRED]
            if st[k, S_SIDE] != 0.0:
                reason, b = _stop_exit(st, params, k, o, h, lo, s)
                if reason:
                    cash += _close(st, params, tr, n_tr, k, i, b, s, reason)
                    n_tr += 1
                else:
                    _excursion(st, params, k, h, lo, s)
            d = target[k, i]
            if fill_close and d != st[k, S_APPLIED]:
                if st[k, S_SIDE] != 0.0:
                    cash += _close(st, params, tr, n_tr, k, i, c, s, 0)
                    n_tr += 1
                if d != 0.0:
                    cash += _open(st, params, k, i, c, s, d, cash + _others(st, k), lots_sizing)
                st[k, S_APPLIED] = d
            st[k, S_DESIRED] = d
            if st[k, S_SIDE] != 0.0:
                mark = c if st[k, S_SIDE] > 0 else c + s * pt
                st[k, S_UNREAL] = st[k, S_SIDE] * (mark - st[k, S_EF]) * st[k, S_LOTS] * vpp
                held[k, i] = st[k, S_SIDE] * st[k, S_LOTS]
            st[k, S_LAST] = i
        equity[i] = cash + _others(st, -1)
    for k in range(n_assets):
        if st[k, S_SIDE] != 0.0:
            last = int(st[k, S_LAST])
            cash += _close(st, params, tr, n_tr, k, last, close[k, last], spread[k, last], 3)
            n_tr += 1
    if n_bars > 0:
        equity[n_bars - 1] = cash
    return equity, held, tr[:n_tr]
