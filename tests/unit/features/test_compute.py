"""The public feature API: registry, compute's shape and errors, and causality of every feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kinetra.features as features
from kinetra.errors import FeatureParamError, KinetraError, UnknownFeatureError
from tests.unit.features.bars import random_bars
from tests.unit.features import reference as ref

NAMES = [spec.name for spec in features.registry()]


def test_registry_lists_every_measure_with_params_and_version() -> None:
    for required in ("kinetic_energy", "acceleration", "jerk", "damping_ratio", "damping_regime", "entropy",
                     "reynolds", "viscosity", "buy_pressure", "sell_pressure", "order_flow", "up_streak",
                     "down_streak", "semivariance_ratio", "kinetic_energy_rank"):
        assert required in NAMES
    entropy = next(s for s in features.registry() if s.name == "entropy")
    assert entropy.params == {"window": 100, "bins": 10} and entropy.version >= 1
    assert features.REGIME_NAMES == ("underdamped", "critical", "overdamped")


def test_compute_returns_float64_columns_on_the_bars_index() -> None:
    bars = random_bars(300)
    out = features.compute(bars)
    assert list(out.columns) == NAMES and out.index.equals(bars.index)
    assert all(dtype == np.float64 for dtype in out.dtypes)
    assert out["entropy"].iloc[:99].isna().all() and out["entropy"].iloc[99:].notna().all()
    assert out["kinetic_energy_rank"].dropna().between(0, 1).all() and out["kinetic_energy_rank"].iloc[101:].notna().all()
    assert out["damping_regime"].dropna().isin([0.0, 1.0, 2.0]).all()
    assert out["order_flow"].dropna().between(-1, 1).all()


def test_compute_matches_the_reference_composition() -> None:
    bars = random_bars(200, seed=3)
    out = features.compute(bars, ["kinetic_energy", "entropy", "order_flow"], {"entropy": {"window": 30, "bins": 5}})
    v = ref.log_velocity(bars["close"].tolist())
    m = ref.relative_mass(bars["tick_volume"].astype(float).tolist(), 50)
    np.testing.assert_allclose(out["kinetic_energy"], ref.kinetic_energy(v, m), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(out["entropy"], ref.rolling_entropy(v, 30, 5), rtol=1e-12, equal_nan=True)
    cols = [bars[c].astype(float).tolist() for c in ("high", "low", "close", "tick_volume")]
    flow = ref.rolling_flow(ref.pressure(*cols, True), ref.pressure(*cols, False), 20)
    np.testing.assert_allclose(out["order_flow"], flow, rtol=1e-12, equal_nan=True)


def test_missing_volume_gives_unit_mass() -> None:
    out = features.compute(random_bars(50, volume=False), ["mass", "buy_pressure"])
    assert (out["mass"] == 1.0).all() and out["buy_pressure"].between(0, 1).all()


def test_empty_and_one_bar_frames_give_empty_and_nan_rows() -> None:
    assert features.compute(random_bars(0)).shape == (0, len(NAMES))
    one = features.compute(random_bars(1), ["velocity", "entropy", "mass"])
    assert one["velocity"].isna().all() and one["entropy"].isna().all() and one["mass"].iloc[0] == 1.0


@pytest.mark.parametrize(("names", "params", "error", "match"), [
    (["nope"], None, UnknownFeatureError, "unknown feature 'nope'"),
    (["entropy"], {"entropy": {"window": 0}}, FeatureParamError, "entropy: window must be an integer >= 1"),
    (["entropy"], {"entropy": {"bins": 1}}, FeatureParamError, "bins must be an integer >= 2"),
    (["entropy"], {"entropy": {"span": 3}}, FeatureParamError, "has no parameter 'span'"),
    (["damping_regime"], {"damping_regime": {"band": -1.0}}, FeatureParamError, "band must be a number >= 0"),
    (["entropy"], {"reynolds": {"window": 3}}, FeatureParamError, "not requested"),
])
def test_bad_names_and_params_raise_one_line_kinetra_errors(names, params, error, match) -> None:
    with pytest.raises(error, match=match) as info:
        features.compute(random_bars(10), names, params)
    assert isinstance(info.value, KinetraError) and "\n" not in str(info.value)


def test_params_change_the_values() -> None:
    bars = random_bars(200)
    a = features.compute(bars, ["reynolds"])["reynolds"]
    b = features.compute(bars, ["reynolds"], {"reynolds": {"window": 40}})["reynolds"]
    assert a.iloc[19:39].notna().all() and b.iloc[19:39].isna().all() and not np.allclose(a[60:], b[60:])


@pytest.mark.parametrize("cut", [0, 120, 260])
def test_changing_future_bars_never_changes_past_values(cut: int) -> None:
    bars = random_bars(300, seed=5)
    future = bars.copy()
    rng = np.random.default_rng(cut)
    tail = slice(cut + 1, None)
    for col in ("open", "high", "low", "close"):
        future.iloc[tail, future.columns.get_loc(col)] *= rng.uniform(0.5, 1.5, len(bars) - cut - 1)
    future.iloc[tail, future.columns.get_loc("tick_volume")] = rng.integers(0, 5000, len(bars) - cut - 1)
    before, after = features.compute(bars), features.compute(future)
    for name in NAMES:
        pd.testing.assert_series_equal(before[name].iloc[:cut + 1], after[name].iloc[:cut + 1], check_exact=True)
    assert not before.iloc[cut + 1:].equals(after.iloc[cut + 1:]), "the perturbation must reach the future"
