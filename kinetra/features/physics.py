"""Physics measures of a price path: velocity, mass, energy, derivatives, damping, entropy, flow.

Every kernel is causal (value at bar t reads bars <= t only), skips NaN inputs, and returns NaN until
its trailing window is full ("warm-up") or when too few finite values remain in the window.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from kinetra.features.windows import CHUNK, chunk_span, window_sums

UNDERDAMPED, CRITICAL, OVERDAMPED = 0, 1, 2
REGIME_NAMES = ("underdamped", "critical", "overdamped")
_RHO_CLIP = 0.99
_WELL, _TINY, _HUGE = 0.5, 1e-250, 1e250  # one-pass moments are exact enough inside these
ENTROPY_CHUNK = 16 * CHUNK  # bars per parallel entropy task: its deques and histogram warm up once per chunk


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


@njit(cache=True, nogil=True)
def _autocorr_at(x: np.ndarray, ok: np.ndarray, t: int, window: int) -> float:
    """The two-pass correlation of the window ending at t: the exact path for ill-conditioned windows."""
    sa = sb = saa = sbb = sab = 0.0
    k = 0
    for i in range(t - window + 1, t + 1):
        sa += x[i - 1] if ok[i] else 0.0
        sb += x[i] if ok[i] else 0.0
        k += ok[i]
    if k < 3:
        return np.nan
    ma, mb = sa / k, sb / k
    for i in range(t - window + 1, t + 1):
        da = x[i - 1] - ma if ok[i] else 0.0
        db = x[i] - mb if ok[i] else 0.0
        saa += da * da
        sbb += db * db
        sab += da * db
    if saa > 0.0 and sbb > 0.0:
        return sab / (math.sqrt(saa) * math.sqrt(sbb))  # no underflow of saa * sbb
    return np.nan


@njit(cache=True, nogil=True)
def _well_conditioned(raw: float, centred: float) -> bool:
    """True when one-pass centring (raw second moment minus n mean^2) keeps ~15 digits: the mean is at
    most ~0.7 of the root mean square and nothing under- or overflows; else the two-pass path runs."""
    return _TINY < raw < _HUGE and centred >= _WELL * raw


@njit(cache=True, nogil=True, parallel=True)
def rolling_autocorr(x: np.ndarray, window: int) -> np.ndarray:
    """Pearson correlation of (x[i-1], x[i]) over the last `window` pairs; needs 3 finite pairs and spread.

    One pass of window sums (O(n)); a window whose mean dwarfs its spread is recomputed in two passes.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    ok = np.zeros(n, dtype=np.bool_)  # ok[i]: pair (x[i-1], x[i]) is finite
    for i in range(1, n):
        ok[i] = (x[i - 1] - x[i - 1]) == 0.0 and (x[i] - x[i]) == 0.0
    for c in prange((n + CHUNK - 1) // CHUNK):
        start, stop, first = chunk_span(c, n, window)
        terms = np.zeros((stop - first, 6))  # a, b, a^2, b^2, ab, 1 for finite pairs
        for i in range(max(first, 1), stop):
            if ok[i]:
                a, b = x[i - 1], x[i]
                terms[i - first] = (a, b, a * a, b * b, a * b, 1.0)
        sums = window_sums(terms, window)
        for t in range(max(start, window), stop):
            sa, sb, raa, rbb, rab, k = sums[t - first]
            if k < 3.0:
                continue
            saa, sbb = raa - sa * sa / k, rbb - sb * sb / k
            if _well_conditioned(raa, saa) and _well_conditioned(rbb, sbb):
                out[t] = (rab - sa * sb / k) / (math.sqrt(saa) * math.sqrt(sbb))
            else:
                out[t] = _autocorr_at(x, ok, t, window)
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


@njit(cache=True, nogil=True, parallel=True)
def rolling_entropy(x: np.ndarray, window: int, bins: int) -> np.ndarray:
    """Shannon entropy of x in `bins` equal-width bins over the window's range (bin = int((x-lo) * bins/(hi-lo)),
    the top edge in the last bin), divided by ln(bins) so it is in [0, 1]; 0 when the range is empty or
    too small for bins/(hi-lo) to be finite.

    Chunks of bars run in parallel, each starting `window` bars early so its state is warm (the counts
    are exact, so the values do not depend on where a chunk starts).
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    plogp = np.zeros(window + 1)
    for c in range(1, window + 1):
        p = c / window
        plogp[c] = p * math.log(p)
    span = max(ENTROPY_CHUNK, window)
    for c in prange((n + span - 1) // span):
        _entropy_span(x, window, bins, plogp, c * span, min(n, (c + 1) * span), out)
    return out


@njit(cache=True, nogil=True)
def _entropy_span(x: np.ndarray, window: int, bins: int, plogp: np.ndarray, start: int, stop: int,
                  out: np.ndarray) -> None:
    """Write the entropy of bars start..stop-1 into out, streaming from `window` bars before start.

    Rolling min/max come from monotonic deques; while they stay put, the histogram is updated by the
    value leaving and the value entering (the same bin arithmetic as a full recount, so the counts are
    exact), and it is recounted over the window only when an extreme changes.
    """
    first = max(0, start - window)
    counts = np.zeros(bins, dtype=np.int64)
    qmax, qmin = np.empty(stop - first, dtype=np.int64), np.empty(stop - first, dtype=np.int64)
    hmax = tmax = hmin = tmin = k = 0
    lo_prev = hi_prev = np.nan
    scale = 1.0  # bins / (hi - lo), recomputed when the range changes
    warm = False  # counts hold the previous bar's window under lo_prev/hi_prev
    for t in range(first, stop):
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
        old_ok = old >= first and math.isfinite(x[old])
        if old_ok:
            k -= 1
        while hmax < tmax and qmax[hmax] <= old:
            hmax += 1
        while hmin < tmin and qmin[hmin] <= old:
            hmin += 1
        if t < first + window - 1 or k < 2:  # a full window read since `first`
            warm = False
            continue
        lo, hi = x[qmin[hmin]], x[qmax[hmax]]
        same_range = warm and lo == lo_prev and hi == hi_prev
        if not same_range:
            scale = bins / (hi - lo) if hi > lo else np.inf
            if not math.isfinite(scale):  # no spread, or a range too small to bin: entropy 0
                if t >= start:
                    out[t] = 0.0
                warm = False
                continue
        if same_range:
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
        if t >= start:
            out[t] = _entropy_of(counts, k, bins, plogp)


@njit(cache=True, nogil=True)
def _reynolds_at(v: np.ndarray, t: int, window: int) -> float:
    """The two-pass |mean| / std of the window ending at t: the exact path for ill-conditioned windows."""
    s, k = 0.0, 0
    for i in range(t - window + 1, t + 1):  # branch-free: NaN compares false
        ok = (v[i] - v[i]) == 0.0
        s += v[i] if ok else 0.0
        k += ok
    if k < 3:
        return np.nan
    m, ss = s / k, 0.0
    for i in range(t - window + 1, t + 1):
        d = v[i] - m if (v[i] - v[i]) == 0.0 else 0.0
        ss += d * d
    return abs(m) / math.sqrt(ss / (k - 1)) if ss > 0.0 else np.nan


@njit(cache=True, nogil=True, parallel=True)
def rolling_reynolds(v: np.ndarray, window: int) -> np.ndarray:
    """Trend over volatility, |mean v| / std v (ddof 1) over the window; needs 3 finite values.

    One pass of window sums (O(n)); a window whose mean dwarfs its spread is recomputed in two passes.
    """
    n = v.shape[0]
    out = np.full(n, np.nan)
    for c in prange((n + CHUNK - 1) // CHUNK):
        start, stop, first = chunk_span(c, n, window)
        terms = np.zeros((stop - first, 3))  # v, v^2, 1 for finite v
        for i in range(first, stop):
            x = v[i]
            if (x - x) == 0.0:
                terms[i - first] = (x, x * x, 1.0)
        sums = window_sums(terms, window)
        for t in range(max(start, window - 1), stop):
            s1, s2, k = sums[t - first]
            if k < 3.0:
                continue
            m = s1 / k
            ss = s2 - s1 * m
            out[t] = abs(m) / math.sqrt(ss / (k - 1.0)) if _well_conditioned(s2, ss) else _reynolds_at(v, t, window)
    return out


@njit(cache=True, nogil=True, parallel=True)
def rolling_viscosity(high: np.ndarray, low: np.ndarray, mass: np.ndarray, window: int) -> np.ndarray:
    """Volume needed per unit of range: mean mass / mean ln(high/low) over bars with a valid range."""
    n = high.shape[0]
    out = np.full(n, np.nan)
    for c in prange((n + CHUNK - 1) // CHUNK):
        start, stop, first = chunk_span(c, n, window)
        terms = np.zeros((stop - first, 3))  # mass, ln(high/low), 1 for bars with a valid range
        for i in range(first, stop):
            h, lo = high[i], low[i]
            if h >= lo and lo > 0.0 and math.isfinite(h) and math.isfinite(mass[i]):
                terms[i - first] = (mass[i], math.log(h / lo), 1.0)
        sums = window_sums(terms, window)
        for t in range(max(start, window - 1), stop):
            sm, sr, k = sums[t - first]
            if k > 0.0 and sr > 0.0:
                out[t] = sm / sr
    return out
