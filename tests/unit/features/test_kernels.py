"""Every feature kernel agrees with its plain-Python reference, on NaN, empty and one-element input too."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from kinetra.features import normalise, orderflow, physics
from kinetra.features.physics import ENTROPY_CHUNK
from kinetra.features.windows import CHUNK
from tests.unit.features import reference as ref

NAN = math.nan
EXAMPLES = settings(max_examples=60, deadline=None)

values = st.lists(st.one_of(st.floats(-2.0, 2.0), st.just(NAN), st.just(0.0)), min_size=0, max_size=40)
with_inf = st.lists(st.one_of(st.floats(-2.0, 2.0), st.just(NAN), st.sampled_from([math.inf, -math.inf])),
                   min_size=0, max_size=40)
prices = st.lists(st.one_of(st.floats(0.5, 2.0), st.just(NAN), st.just(0.0), st.just(1.0)), min_size=0, max_size=40)
volumes = st.lists(st.one_of(st.integers(0, 500).map(float), st.just(NAN)), min_size=0, max_size=40)
windows = st.integers(1, 8)


def arr(xs: list[float]) -> np.ndarray:
    return np.ascontiguousarray(xs, dtype=np.float64)


def same(got: np.ndarray, want: list[float]) -> None:
    assert got.dtype == np.float64 and got.shape == (len(want),)
    np.testing.assert_allclose(got, np.array(want, dtype=np.float64), rtol=1e-9, atol=1e-12, equal_nan=True)


@EXAMPLES
@given(prices)
def test_log_velocity_matches_reference(close: list[float]) -> None:
    same(physics.log_velocity(arr(close)), ref.log_velocity(close))


@EXAMPLES
@given(volumes, windows)
def test_relative_mass_matches_reference(tv: list[float], window: int) -> None:
    same(physics.relative_mass(arr(tv), window), ref.relative_mass(tv, window))


@EXAMPLES
@given(st.lists(st.tuples(st.one_of(st.floats(-1, 1), st.just(NAN)), st.floats(0, 5)), max_size=40))
def test_kinetic_energy_matches_reference(pairs: list[tuple[float, float]]) -> None:
    v, m = [p[0] for p in pairs], [p[1] for p in pairs]
    same(physics.kinetic_energy(arr(v), arr(m)), ref.kinetic_energy(v, m))


@EXAMPLES
@given(values)
def test_difference_matches_reference(x: list[float]) -> None:
    same(physics.difference(arr(x)), ref.difference(x))


@EXAMPLES
@given(values, windows)
def test_rolling_autocorr_matches_reference(x: list[float], window: int) -> None:
    same(physics.rolling_autocorr(arr(x), window), ref.rolling_autocorr(x, window))


@EXAMPLES
@given(values, st.floats(0.0, 0.5))
def test_damping_and_regime_match_reference(rho: list[float], band: float) -> None:
    zeta = physics.damping_from_autocorr(arr(rho))
    same(zeta, ref.damping_from_autocorr(rho))
    same(physics.damping_regime(zeta, band), ref.damping_regime(list(zeta), band))


@EXAMPLES
@given(with_inf, windows, st.integers(2, 12))
def test_rolling_entropy_matches_reference(x: list[float], window: int, bins: int) -> None:
    same(physics.rolling_entropy(arr(x), window, bins), ref.rolling_entropy(x, window, bins))


@EXAMPLES
@given(with_inf, windows)
def test_rolling_reynolds_matches_reference(x: list[float], window: int) -> None:
    same(physics.rolling_reynolds(arr(x), window), ref.rolling_reynolds(x, window))


@EXAMPLES
@given(st.lists(st.tuples(st.one_of(st.floats(0.5, 2), st.just(NAN)), st.floats(0.5, 2), st.floats(0, 3)),
                max_size=40), windows)
def test_rolling_viscosity_matches_reference(rows: list[tuple[float, float, float]], window: int) -> None:
    h, lo, m = ([r[i] for r in rows] for i in range(3))
    same(physics.rolling_viscosity(arr(h), arr(lo), arr(m), window), ref.rolling_viscosity(h, lo, m, window))


@EXAMPLES
@given(st.lists(st.tuples(st.one_of(st.floats(0.5, 2), st.just(NAN)), st.floats(0.5, 2), st.floats(0.5, 2),
                          st.one_of(st.floats(0, 100), st.just(NAN))), max_size=40), st.booleans())
def test_pressure_matches_reference(rows: list[tuple[float, ...]], buy: bool) -> None:
    h, lo, c, tv = ([r[i] for r in rows] for i in range(4))
    same(orderflow.pressure(arr(h), arr(lo), arr(c), arr(tv), buy), ref.pressure(h, lo, c, tv, buy))


@EXAMPLES
@given(st.lists(st.tuples(st.one_of(st.floats(0, 5), st.just(NAN)), st.floats(0, 5)), max_size=40), windows)
def test_rolling_flow_matches_reference(rows: list[tuple[float, float]], window: int) -> None:
    b, s = [r[0] for r in rows], [r[1] for r in rows]
    same(orderflow.rolling_flow(arr(b), arr(s), window), ref.rolling_flow(b, s, window))


@EXAMPLES
@given(values, st.booleans())
def test_streak_matches_reference(v: list[float], up: bool) -> None:
    same(orderflow.streak(arr(v), up), ref.streak(v, up))


@EXAMPLES
@given(with_inf, windows)
def test_semivariance_ratio_matches_reference(v: list[float], window: int) -> None:
    same(orderflow.rolling_semivariance_ratio(arr(v), window), ref.rolling_semivariance_ratio(v, window))


@EXAMPLES
@given(with_inf, windows)
def test_rolling_rank_matches_reference(x: list[float], window: int) -> None:
    same(normalise.rolling_rank(arr(x), window), ref.rolling_rank(x, window))


def test_known_values_pin_the_definitions() -> None:
    e = math.e
    same(physics.log_velocity(arr([1.0, e, e, 0.0, 1.0])), [NAN, 1.0, 0.0, NAN, NAN])
    same(physics.relative_mass(arr([NAN, 2.0, 6.0, 0.0]), 10), [1.0, 1.0, 1.5, 1.0])
    same(orderflow.streak(arr([NAN, 1, 2, -1, 0, 3, 3]), True), [NAN, 1, 2, 0, 0, 1, 2])
    same(orderflow.pressure(arr([2.0, 1.0]), arr([1.0, 1.0]), arr([1.75, 1.0]), arr([8.0, NAN]), True), [6.0, 0.5])
    same(normalise.rolling_rank(arr([1.0, 2.0, 3.0, 2.0, 2.5]), 3), [NAN, NAN, 1.0, 0.25, 0.5])
    same(physics.rolling_entropy(arr([0.0, 1.0, 2.0, 3.0]), 4, 4), [NAN, NAN, NAN, 1.0])
    same(physics.rolling_entropy(arr([5.0, 5.0, 5.0]), 3, 4), [NAN, NAN, 0.0])
    same(physics.rolling_entropy(arr([0.0, 2.225073858507e-311]), 2, 2), [NAN, 0.0])  # bins/range overflows
    same(physics.damping_regime(physics.damping_from_autocorr(arr([-0.5, 0.0, 0.5, NAN])), 0.1), [0, 1, 2, NAN])
    alternating = arr([1.0, -1.0] * 10)
    assert physics.rolling_autocorr(alternating, 5)[-1] == pytest.approx(-1.0)


def _edge_series(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A noisy series with NaN and inf, and a positive one, long enough for several parallel chunks."""
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 1.0, n)
    x[rng.random(n) < 0.03] = NAN
    x[rng.random(n) < 0.01] = math.inf
    return x, rng.uniform(0.5, 2.0, n)


EDGE_CASES = {  # kernel and reference on (x, positive, window); an offset x takes the two-pass path
    "autocorr": (lambda x, p, w: physics.rolling_autocorr(x, w), lambda x, p, w: ref.rolling_autocorr(x, w)),
    "autocorr_offset": (lambda x, p, w: physics.rolling_autocorr(x + 3.0, w),
                        lambda x, p, w: ref.rolling_autocorr([v + 3.0 for v in x], w)),
    "reynolds": (lambda x, p, w: physics.rolling_reynolds(x, w), lambda x, p, w: ref.rolling_reynolds(x, w)),
    "reynolds_offset": (lambda x, p, w: physics.rolling_reynolds(x + 3.0, w),
                        lambda x, p, w: ref.rolling_reynolds([v + 3.0 for v in x], w)),
    "entropy": (lambda x, p, w: physics.rolling_entropy(x, w, 7), lambda x, p, w: ref.rolling_entropy(x, w, 7)),
    "viscosity": (lambda x, p, w: physics.rolling_viscosity(p * 1.01, p, np.abs(x), w),
                  lambda x, p, w: ref.rolling_viscosity([v * 1.01 for v in p], p, [abs(v) for v in x], w)),
    "flow": (lambda x, p, w: orderflow.rolling_flow(np.abs(x), p, w),
             lambda x, p, w: ref.rolling_flow([abs(v) for v in x], p, w)),
    "semivariance": (lambda x, p, w: orderflow.rolling_semivariance_ratio(x, w),
                     lambda x, p, w: ref.rolling_semivariance_ratio(x, w)),
    "rank": (lambda x, p, w: normalise.rolling_rank(x, w), lambda x, p, w: ref.rolling_rank(x, w)),
}


@pytest.mark.parametrize("window", [7, 50])
@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_parallel_chunks_agree_with_the_reference_at_their_edges(case: str, window: int) -> None:
    kernel, reference = EDGE_CASES[case]
    x, positive = _edge_series(2 * ENTROPY_CHUNK + 3 * window)
    got = kernel(x, positive, window)
    for edge in (CHUNK, 2 * CHUNK, ENTROPY_CHUNK, 2 * ENTROPY_CHUNK):
        lo = edge - window - 2
        part = slice(lo - window - 1, edge + window + 2)  # the reference from a whole window before lo
        want = reference(list(x[part]), list(positive[part]), window)[window + 1:]
        same(got[lo:edge + window + 2], want)
