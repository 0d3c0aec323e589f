"""Trailing-window sums in O(n) without subtraction, so no drift and no cancellation across windows.

The bars are cut into blocks of `window`. A window ending at t is a suffix of the previous block plus
a prefix of t's own block, so its sum is one suffix sum plus one running prefix sum (van Herk /
Gil-Werman). Every sum only ever adds terms inside the window: a huge or infinite value leaves no
trace once it is out of the window, unlike a running sum that adds the new and subtracts the old.

Kernels work chunk by chunk (`CHUNK` bars, in parallel): a chunk's terms start `window - 1` bars
early, so its windows are whole, and its buffers stay in cache.

numba keys a kernel's on-disk cache on its own file's content only: after editing this module,
delete kinetra/features/__pycache__/*.nb[ic] or the kernels that call it keep the old code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

CHUNK = 4096  # bars per parallel task


@njit(cache=True, nogil=True)
def chunk_span(c: int, n: int, window: int) -> tuple[int, int, int]:
    """Return (start, stop, first) of chunk c: it outputs bars start..stop-1 from terms of first..stop-1."""
    start = c * CHUNK
    stop = min(n, start + CHUNK)
    return start, stop, max(0, start - window + 1)


@njit(cache=True, nogil=True)
def window_sums(terms: np.ndarray, window: int) -> np.ndarray:
    """Sums of each column of terms (bars x columns, no NaN) over the trailing `window` rows (fewer at
    the top); the columns are summed side by side so their running sums overlap in the pipeline."""
    n, m = terms.shape
    out = np.empty((n, m))
    acc = np.zeros(m)
    for b in range(0, n, window):  # out holds each block's suffix sums first
        acc[:] = 0.0
        for i in range(min(n, b + window) - 1, b - 1, -1):
            for j in range(m):
                acc[j] += terms[i, j]
                out[i, j] = acc[j]
    for b in range((n - 1) // window * window, -1, -window):  # last block first: block b-1 still holds suffixes
        acc[:] = 0.0
        for t in range(b, min(n, b + window)):
            first = t - window + 1  # the window's first row: in block b-1 unless first == b
            for j in range(m):
                acc[j] += terms[t, j]
                out[t, j] = acc[j] + out[first, j] if b > first >= 0 else acc[j]
    return out
