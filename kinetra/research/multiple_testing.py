"""Adjusted p-values (q-values) for a family of tests: Bonferroni, Holm, Benjamini-Hochberg, Benjamini-Yekutieli.

A suite that tries hundreds of candidates will find "significant" ones by chance; these adjust
each p-value for the size of the family so that rejecting q <= alpha controls the family-wise
error rate (Bonferroni; Holm 1979, "A simple sequentially rejective multiple test procedure",
Scand. J. Statist. 6:65-70) or the false discovery rate (Benjamini & Hochberg 1995, "Controlling
the false discovery rate", JRSS B 57:289-300; Benjamini & Yekutieli 2001, Ann. Statist. 29:1165
for any dependence). Adjusted values are monotone in the p-values and capped at 1, and equal
statsmodels.stats.multitest.multipletests(p, method="bonferroni" | "holm" | "fdr_bh" | "fdr_by").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kinetra.errors import ResearchInputError

CORRECTIONS = ("bh", "by", "holm", "bonferroni", "none")


def adjust_p_values(p_values: Sequence[float] | np.ndarray, method: str = "bh") -> np.ndarray:
    """Return the adjusted p-values (q-values) of a family of tests, in the input order.

    method: "bh" (Benjamini-Hochberg, FDR), "by" (Benjamini-Yekutieli, FDR under any dependence),
    "holm" (Holm step-down, FWER), "bonferroni" (FWER) or "none" (the p-values unchanged).
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or not np.all((p >= 0) & (p <= 1)):
        raise ResearchInputError("p-values must be a flat list of numbers between 0 and 1 (no NaN)")
    if method not in CORRECTIONS:
        raise ResearchInputError(f"unknown correction {method!r} (one of {', '.join(CORRECTIONS)})")
    m = len(p)
    if m == 0 or method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, p * m)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    rank = np.arange(1, m + 1)
    if method == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1) * ranked))
    else:
        scale = np.sum(1.0 / rank) if method == "by" else 1.0
        adjusted = np.minimum(1.0, np.minimum.accumulate((ranked * m * scale / rank)[::-1])[::-1])
    out = np.empty(m)
    out[order] = adjusted
    return out
