"""Rolling percentile normalisation: where the current value ranks in its trailing window, in [0, 1]."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, parallel=True)
def rolling_rank(x: np.ndarray, window: int) -> np.ndarray:
    """Share of the window's other finite values below x[t], ties counting half; NaN in warm-up or on NaN."""
    n = x.shape[0]
    out = np.full(n, np.nan)
    for t in prange(window - 1, n):  # each bar is independent: spread over the cores
        cur = x[t]
        if not math.isfinite(cur):
            continue
        lt = eq = k = 0
        for i in range(t - window + 1, t):  # branch-free integer counts: LLVM vectorises this loop
            v = x[i]
            f = (v - v) == 0.0  # false for NaN and inf
            lt += f & (v < cur)
            eq += f & (v == cur)
            k += f
        if k > 0:
            out[t] = (lt + 0.5 * eq) / k
    return out
