"""Features: physics and order-flow measures of bars, computed by numba kernels, cached in the store.

`compute` turns a bars frame into one float64 column per feature (NaN during warm-up);
`registry` lists the features; `cached` reads a stored series' features or computes and stores them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kinetra.features.physics import REGIME_NAMES
from kinetra.features.catalog import FEATURES, BarArrays, FeatureSpec, resolve

__all__ = ["REGIME_NAMES", "FeatureSpec", "cached", "compute", "registry"]


def compute(bars: pd.DataFrame, names: list[str] | None = None,
            params: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Compute features of `bars` (open, high, low, close, optional tick_volume) on the same index.

    `names` picks features (all when None); `params` maps a feature name to overrides of its defaults.
    """
    return compute_resolved(bars, resolve(names, params))


def compute_resolved(bars: pd.DataFrame, resolved: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Compute already-resolved features; the memo shares intermediates such as velocity between them."""
    arrays = BarArrays(bars)
    columns = {name: arrays.feature(name, **p) for name, p in resolved.items()}
    # each kernel's own array becomes a column as is: no copy into one block (a fresh 8 bytes x
    # features x bars block costs more in page faults than most kernels cost to run)
    return pd.DataFrame(columns, index=bars.index, copy=False)


def registry() -> list[FeatureSpec]:
    """Return every registered feature's spec (name, description, params with defaults, version)."""
    return list(FEATURES.values())


def cached(store: Any, series_id: int, names: list[str] | None = None,
           params: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Return a stored series' features from the cache, computing and storing them on a miss."""
    from kinetra.features.cache import cached_features

    return cached_features(store, series_id, names, params)
