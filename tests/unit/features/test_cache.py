"""The feature cache: a hit returns identical values without recomputing; new bars or a version bump miss."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import kinetra.features as features
from kinetra.data.bars_frame import BAR_COLUMNS, PreparedSeries
from kinetra.data.inventory import find_series
from kinetra.data.writer import write_series
from kinetra.errors import UnknownSeriesError
from kinetra.features import catalog as reg
from kinetra.store import Store
from tests.unit.features.bars import random_bars


def _write(store: Store, bars: pd.DataFrame) -> int:
    frame = bars.reset_index(names="ts")
    frame["ts"] = frame["ts"].dt.tz_localize(None).astype("datetime64[us]")
    frame["volume"], frame["spread"] = 0, 5
    write_series(store, [PreparedSeries(broker="mt5", symbol="EURUSD", timeframe="H1", asset_class="forex",
                                        source="test", origin="test", frame=frame[["ts", *BAR_COLUMNS]])])
    return find_series(store, "EURUSD", "H1").id


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count how many times the cache falls through to computing."""
    seen: list[int] = []
    real = features.compute_resolved

    def counting(bars: pd.DataFrame, resolved: dict) -> pd.DataFrame:
        seen.append(len(bars))
        return real(bars, resolved)

    monkeypatch.setattr(features, "compute_resolved", counting)
    return seen


def test_a_hit_returns_identical_values_without_recomputing(store: Store, calls: list[int]) -> None:
    bars = random_bars(400)
    sid = _write(store, bars)
    first = features.cached(store, sid)
    second = features.cached(store, sid)
    assert calls == [400]
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    direct = features.compute(bars)
    np.testing.assert_array_equal(first.to_numpy(), direct.to_numpy())
    assert list(first.columns) == list(direct.columns) and len(first.index) == 400


def test_new_bars_invalidate_the_entry(store: Store, calls: list[int]) -> None:
    bars = random_bars(300)
    sid = _write(store, bars.iloc[:200])
    features.cached(store, sid, ["entropy"])
    _write(store, bars)
    out = features.cached(store, sid, ["entropy"])
    assert calls == [200, 300] and len(out) == 300
    np.testing.assert_array_equal(out["entropy"].to_numpy(), features.compute(bars, ["entropy"])["entropy"].to_numpy())


def test_a_version_bump_or_other_params_invalidate_the_entry(store: Store, calls: list[int],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sid = _write(store, random_bars(150))
    features.cached(store, sid, ["reynolds"])
    features.cached(store, sid, ["reynolds"], {"reynolds": {"window": 10}})
    spec = reg.FEATURES["reynolds"]
    monkeypatch.setitem(reg.FEATURES, "reynolds", dataclasses.replace(spec, version=spec.version + 1))
    features.cached(store, sid, ["reynolds"])
    features.cached(store, sid, ["reynolds"])
    assert calls == [150, 150, 150]


def test_an_unknown_series_is_a_kinetra_error(store: Store) -> None:
    with pytest.raises(UnknownSeriesError, match="no series with id 99"):
        features.cached(store, 99)
