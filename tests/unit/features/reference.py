"""Plain-Python reference implementations of every feature kernel: lists and math, no numpy or numba."""

from __future__ import annotations

import math

NAN = float("nan")


def fin(x: float) -> bool:
    return math.isfinite(x)


def log_velocity(close: list[float]) -> list[float]:
    out = [NAN] * len(close)
    for t in range(1, len(close)):
        a, b = close[t - 1], close[t]
        if fin(a) and fin(b) and a > 0 and b > 0:
            out[t] = math.log(b / a)
    return out


def relative_mass(tv: list[float], window: int) -> list[float]:
    out = [1.0] * len(tv)
    for t, cur in enumerate(tv):
        if fin(cur) and cur > 0:
            vals = [x for x in tv[max(0, t - window + 1):t + 1] if fin(x) and x > 0]
            out[t] = cur / (sum(vals) / len(vals))
    return out


def kinetic_energy(v: list[float], m: list[float]) -> list[float]:
    return [0.5 * mi * vi * vi for vi, mi in zip(v, m)]


def difference(x: list[float]) -> list[float]:
    return [NAN] * min(1, len(x)) + [x[t] - x[t - 1] for t in range(1, len(x))]


def rolling_autocorr(x: list[float], window: int) -> list[float]:
    out = [NAN] * len(x)
    for t in range(window, len(x)):
        pairs = [(x[i - 1], x[i]) for i in range(t - window + 1, t + 1) if fin(x[i - 1]) and fin(x[i])]
        if len(pairs) < 3:
            continue
        ma = sum(a for a, _ in pairs) / len(pairs)
        mb = sum(b for _, b in pairs) / len(pairs)
        saa = sum((a - ma) ** 2 for a, _ in pairs)
        sbb = sum((b - mb) ** 2 for _, b in pairs)
        sab = sum((a - ma) * (b - mb) for a, b in pairs)
        if saa > 0 and sbb > 0:
            out[t] = sab / (math.sqrt(saa) * math.sqrt(sbb))
    return out


def damping_from_autocorr(rho: list[float]) -> list[float]:
    out = []
    for r in rho:
        if not fin(r):
            out.append(NAN)
            continue
        r = min(max(r, -0.99), 0.99)
        out.append(math.sqrt((1 + r) / (1 - r)))
    return out


def damping_regime(zeta: list[float], band: float) -> list[float]:
    out = []
    for z in zeta:
        if not fin(z):
            out.append(NAN)
        elif z < 1 - band:
            out.append(0.0)
        elif z > 1 + band:
            out.append(2.0)
        else:
            out.append(1.0)
    return out


def rolling_entropy(x: list[float], window: int, bins: int) -> list[float]:
    out = [NAN] * len(x)
    for t in range(window - 1, len(x)):
        vals = [v for v in x[t - window + 1:t + 1] if fin(v)]
        if len(vals) < 2:
            continue
        lo, hi = min(vals), max(vals)
        scale = bins / (hi - lo) if hi > lo else math.inf
        if not fin(scale):
            out[t] = 0.0
            continue
        counts = [0] * bins
        for v in vals:
            counts[min(int((v - lo) * scale), bins - 1)] += 1
        h = -sum(c / len(vals) * math.log(c / len(vals)) for c in counts if c)
        out[t] = h / math.log(bins)
    return out


def rolling_reynolds(v: list[float], window: int) -> list[float]:
    out = [NAN] * len(v)
    for t in range(window - 1, len(v)):
        vals = [x for x in v[t - window + 1:t + 1] if fin(x)]
        if len(vals) < 3:
            continue
        m = sum(vals) / len(vals)
        ss = sum((x - m) ** 2 for x in vals)
        if ss > 0:
            out[t] = abs(m) / math.sqrt(ss / (len(vals) - 1))
    return out


def rolling_viscosity(high: list[float], low: list[float], mass: list[float], window: int) -> list[float]:
    out = [NAN] * len(high)
    for t in range(window - 1, len(high)):
        idx = [i for i in range(t - window + 1, t + 1)
               if fin(high[i]) and fin(mass[i]) and high[i] >= low[i] and low[i] > 0]
        sr = sum(math.log(high[i] / low[i]) for i in idx)
        if idx and sr > 0:
            out[t] = sum(mass[i] for i in idx) / sr
    return out


def pressure(high: list[float], low: list[float], close: list[float], tv: list[float], buy: bool) -> list[float]:
    out = []
    for h, lo, c, w in zip(high, low, close, tv):
        if not (fin(h) and fin(lo) and fin(c)):
            out.append(NAN)
            continue
        loc = 0.5 if h <= lo else min(max((c - lo) / (h - lo), 0.0), 1.0)
        w = w if fin(w) and w > 0 else 1.0
        out.append((loc if buy else 1 - loc) * w)
    return out


def rolling_flow(buy: list[float], sell: list[float], window: int) -> list[float]:
    out = [NAN] * len(buy)
    for t in range(window - 1, len(buy)):
        idx = [i for i in range(t - window + 1, t + 1) if fin(buy[i]) and fin(sell[i])]
        sb, ss = sum(buy[i] for i in idx), sum(sell[i] for i in idx)
        if sb + ss > 0:
            out[t] = (sb - ss) / (sb + ss)
    return out


def streak(v: list[float], up: bool) -> list[float]:
    out, run = [], 0
    for x in v:
        if not fin(x):
            run = 0
            out.append(NAN)
            continue
        run = run + 1 if (x > 0 if up else x < 0) else 0
        out.append(float(run))
    return out


def rolling_semivariance_ratio(v: list[float], window: int) -> list[float]:
    out = [NAN] * len(v)
    for t in range(window - 1, len(v)):
        w = v[t - window + 1:t + 1]
        up = sum(x * x for x in w if fin(x) and x > 0)
        down = sum(x * x for x in w if fin(x) and x < 0)
        if down > 0:
            out[t] = up / down
    return out


def rolling_rank(x: list[float], window: int) -> list[float]:
    out = [NAN] * len(x)
    for t in range(window - 1, len(x)):
        if not fin(x[t]):
            continue
        others = [v for v in x[t - window + 1:t] if fin(v)]
        if others:
            out[t] = (sum(v < x[t] for v in others) + 0.5 * sum(v == x[t] for v in others)) / len(others)
    return out
