"""The quality score of a series: 100 minus capped, weighted penalties, with the breakdown behind it.

For each component k (gaps, ohlc, non_positive, spike, stale, zero_spread, revisions, cross_timeframe):

    rate_k    = affected bars / bars (gaps: missing bars / expected bars in normally-open slots)
    penalty_k = weight_k * min(1, rate_k / tolerance_k)
    score     = max(0, 100 - sum_k penalty_k)

so a component costs nothing when clean, grows linearly with how much of the series it touches,
and never costs more than its weight. Weights and tolerances are settings (`[health]`).
"""

from __future__ import annotations

from typing import Any


def score(rates: dict[str, float], weights: dict[str, float], tolerances: dict[str, float]) -> tuple[float, dict[str, Any]]:
    """Return (score 0-100, breakdown per component with rate, weight and penalty)."""
    breakdown = {}
    for kind, weight in weights.items():
        rate = rates.get(kind, 0.0)
        penalty = weight * min(1.0, rate / tolerances[kind]) if tolerances.get(kind) else (weight if rate else 0.0)
        breakdown[kind] = {"rate": rate, "weight": weight, "penalty": round(penalty, 3)}
    total = max(0.0, 100.0 - sum(b["penalty"] for b in breakdown.values()))
    return round(total, 1), breakdown
