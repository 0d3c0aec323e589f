"""Physics measures of a price path: velocity, mass, energy, derivatives, damping, entropy, flow.

Every kernel is causal (value at bar t reads bars <= t only), skips NaN inputs, and returns NaN until
its trailing window is full ("warm-up") or when too few finite values remain in the window.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

UNDERDAMPED, CRITICAL, OVERDAMPED = 0, 1, 2
REGIME_NAMES = ("underdamped", "critical", "overdamped")
_RHO_CLIP = 0.99


@njit(cache=True, nogil=True)
def log_velocity(close: np.ndarray) -> np.ndarray:
    """Log return per bar, v[t] = ln(c[t] / c[t-1]); NaN at t=0 and where a close is not positive."""
    out = np.full(close.shape[0], np.nan)
    for t in range(1, close.shape[0]):
        a, b = close[t - 1], close[t]
        if a > 0.0 and b > 0.0 and math.isfinite(a) and math.isfinite(b):
            out[t] = math.log(b / a)
    return out


@njit(cache=True, nogil=True)
def relative_mass(tick_volume: np.ndarray, window: int) -> np.ndarray:
    """Tick volume over its trailing mean (positive finite values in the last `window` bars); 1 if absent.

    A running sum (exact for integer volumes), reset to zero whenever the window holds no volume.
    """
    n = tick_volume.shape[0]
    out = np.ones(n)
    total, count = 0.0, 0
    for t in range(n):
        x = tick_volume[t]
        if math.isfinite(x) and x > 0.0:
            total += x
            count += 1
        if t >= window:
            old = tick_volume[t - window]
            if math.isfinite(old) and old > 0.0:
                total -= old
                count -= 1
                if count == 0:
                    total = 0.0
        if math.isfinite(x) and x > 0.0:
            out[t] = x / (total / count)
    return out


@njit(cache=True, nogil=True)
def kinetic_energy(velocity: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """Kinetic energy 0.5 m v^2 per bar."""
    out = np.empty(velocity.shape[0])
    for t in range(velocity.shape[0]):
        out[t] = 0.5 * mass[t] * velocity[t] * velocity[t]
    return out


@njit(cache=True, nogil=True)
def difference(x: np.ndarray) -> np.ndarray:
    """First difference x[t] - x[t-1] (acceleration of velocity, jerk of acceleration); NaN at t=0."""
    out = np.full(x.shape[0], np.nan)
    for t in range(1, x.shape[0]):
        out[t] = x[t] - x[t - 1]
    return out


@njit(cache=True, nogil=True, parallel=True)
def rolling_autocorr(x: np.ndarray, window: int) -> np.ndarray:
    """Pearson correlation of (x[i-1], x[i]) over the last `window` pairs; needs 3 finite pairs and spread."""
    n = x.shape[0]
    out = np.full(n, np.nan)
    ok = np.zeros(n, dtype=np.bool_)  # ok[i]: pair (x[i-1], x[i]) is finite
    for i in range(1, n):
        ok[i] = (x[i - 1] - x[i - 1]) == 0.0 and (x[i] - x[i]) == 0.0
    for t in prange(window, n):  # each bar is independent: spread over the cores
        sa = sb = saa = sbb = sab = 0.0
        k = 0
        for i in range(t - window + 1, t + 1):
            sa += x[i - 1] if ok[i] else 0.0
            sb += x[i] if ok[i] else 0.0
            k += ok[i]
        if k < 3:
            continue
        ma, mb = sa / k, sb / k
        for i in range(t - window + 1, t + 1):
            da = x[i - 1] - ma if ok[i] else 0.0
            db = x[i] - mb if ok[i] else 0.0
            saa += da * da
            sbb += db * db
            sab += da * db
        if saa > 0.0 and sbb > 0.0:
            out[t] = sab / (math.sqrt(saa) * math.sqrt(sbb))  # no underflow of saa * sbb
    return out


@njit(cache=True, nogil=True)
def damping_from_autocorr(rho: np.ndarray) -> np.ndarray:
    """Damping ratio zeta = sqrt((1 + rho) / (1 - rho)), rho clipped to +-0.99: 1 at rho=0 (critical)."""
    out = np.full(rho.shape[0], np.nan)
    for t in range(rho.shape[0]):
        r = rho[t]
        if math.isfinite(r):
            r = min(max(r, -_RHO_CLIP), _RHO_CLIP)
            out[t] = math.sqrt((1.0 + r) / (1.0 - r))
    return out


@njit(cache=True, nogil=True)
def damping_regime(zeta: np.ndarray, band: float) -> np.ndarray:
    """Regime code: 0 underdamped (zeta < 1-band), 1 critical, 2 overdamped (zeta > 1+band); NaN if unknown."""
    out = np.full(zeta.shape[0], np.nan)
    for t in range(zeta.shape[0]):
        z = zeta[t]
        if math.isfinite(z):
            out[t] = UNDERDAMPED if z < 1.0 - band else (OVERDAMPED if z > 1.0 + band else CRITICAL)
    return out


@njit(cache=True, nogil=True)
def _entropy_of(counts: np.ndarray, k: int, bins: int, plogp: np.ndarray) -> float:
    """Entropy of a histogram over ln(bins); `plogp[c]` holds p ln p for p = c / window (used when k == window)."""
    h = 0.0
    full = k == plogp.shape[0] - 1
    for b in range(bins):
        c = counts[b]
        if c > 0:
            if full:
                h -= plogp[c]
            else:
                p = c / k
                h -= p * math.log(p)
    return h / math.log(bins)


@njit(cache=True, nogil=True)
def rolling_entropy(x: np.ndarray, window: int, bins: int) -> np.ndarray:
    """Shannon entropy of x in `bins` equal-width bins over the window's range (bin = int((x-lo) * bins/(hi-lo)),
    the top edge in the last bin), divided by ln(bins) so it is in [0, 1]; 0 when the range is empty or
    too small for bins/(hi-lo) to be finite.

    Rolling min/max come from monotonic deques; while they stay put, the histogram is updated by the
    value leaving and the value entering (the same bin arithmetic as a full recount, so the counts are
    exact), and it is recounted over the window only when an extreme changes.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    counts = np.zeros(bins, dtype=np.int64)
    qmax, qmin = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    hmax = tmax = hmin = tmin = k = 0
    lo_prev = hi_prev = np.nan
    plogp = np.zeros(window + 1)
    for c in range(1, window + 1):
        p = c / window
        plogp[c] = p * math.log(p)
    warm = False  # counts hold the previous bar's window under lo_prev/hi_prev
    for t in range(n):
        new_ok = math.isfinite(x[t])
        if new_ok:  # monotonic deques: qmax values decreasing, qmin values increasing
            while tmax > hmax and x[qmax[tmax - 1]] <= x[t]:
                tmax -= 1
            qmax[tmax] = t
            tmax += 1
            while tmin > hmin and x[qmin[tmin - 1]] >= x[t]:
                tmin -= 1
            qmin[tmin] = t
            tmin += 1
            k += 1
        old = t - window
        old_ok = old >= 0 and math.isfinite(x[old])
        if old_ok:
            k -= 1
        while hmax < tmax and qmax[hmax] <= old:
            hmax += 1
        while hmin < tmin and qmin[hmin] <= old:
            hmin += 1
        if t < window - 1 or k < 2:
            warm = False
            continue
        lo, hi = x[qmin[hmin]], x[qmax[hmax]]
        scale = bins / (hi - lo) if hi > lo else np.inf
        if not math.isfinite(scale):  # no spread, or a range too small to bin: entropy 0
            out[t] = 0.0
            warm = False
            continue
        if warm and lo == lo_prev and hi == hi_prev:
            if old_ok:
                counts[min(int((x[old] - lo) * scale), bins - 1)] -= 1
            if new_ok:
                counts[min(int((x[t] - lo) * scale), bins - 1)] += 1
        else:
            counts[:] = 0
            for i in range(t - window + 1, t + 1):
                if math.isfinite(x[i]):
                    counts[min(int((x[i] - lo) * scale), bins - 1)] += 1
            warm = True
        lo_prev, hi_prev = lo, hi
        out[t] = _entropy_of(counts, k, bins, plogp)
    return out


@njit(cache=True, nogil=True)
def rolling_reynolds(v: np.ndarray, window: int) -> np.ndarray:
    """Trend over volatility, |mean v| / std v (ddof 1) over the window; needs 3 finite values."""
    n = v.shape[0]
    out = np.full(n, np.nan)
    for t in range(window - 1, n):
        s, k = 0.0, 0
        for i in range(t - window + 1, t + 1):  # branch-free: NaN compares false
            ok = (v[i] - v[i]) == 0.0
            s += v[i] if ok else 0.0
            k += ok
        if k < 3:
            continue
        m, ss = s / k, 0.0
        for i in range(t - window + 1, t + 1):
            d = v[i] - m if (v[i] - v[i]) == 0.0 else 0.0
            ss += d * d
        if ss > 0.0:
            out[t] = abs(m) / math.sqrt(ss / (k - 1))
    return out


@njit(cache=True, nogil=True)
def rolling_viscosity(high: np.ndarray, low: np.ndarray, mass: np.ndarray, window: int) -> np.ndarray:
    """Volume needed per unit of range: mean mass / mean ln(high/low) over bars with a valid range."""
    n = high.shape[0]
    out = np.full(n, np.nan)
    rng = np.full(n, np.nan)
    for t in range(n):
        h, lo = high[t], low[t]
        if h >= lo and lo > 0.0 and math.isfinite(h) and math.isfinite(mass[t]):
            rng[t] = math.log(h / lo)
    for t in range(window - 1, n):
        sm = sr = 0.0
        k = 0
        for i in range(t - window + 1, t + 1):
            ok = rng[i] == rng[i]
            sm += mass[i] if ok else 0.0
            sr += rng[i] if ok else 0.0
            k += ok
        if k > 0 and sr > 0.0:
            out[t] = sm / sr
    return out
