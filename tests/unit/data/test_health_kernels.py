"""The health scan's fast paths agree with plain references: spike z-scores, bar grid, zero spreads, bar spacing."""

from __future__ import annotations

import math
import statistics

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kinetra.data.bars_frame import modal_spacing
from kinetra.data.health import checks
from kinetra.data.health.session_calendar import bar_grid, expected_times, week_slot

EXAMPLES = settings(max_examples=80, deadline=None)


def median(xs: list[float]) -> float:
    return math.nan if not xs or any(math.isnan(x) for x in xs) else statistics.median(xs)


def sign(x: float) -> float:
    return math.nan if math.isnan(x) else float((x > 0) - (x < 0))


def spikes_reference(close: np.ndarray, window: int, threshold: float, revert: float = 0.5) -> list[checks.Issue]:
    """The spike check as its docstring states it: every reverting candidate's median and MAD taken in full."""
    r = np.diff(np.log(close)).tolist()
    if len(r) < 31:
        return []
    centre = median(r)
    scale = checks.MAD_TO_SIGMA * median([abs(x - centre) for x in r])
    out = []
    for t in range(30, len(r)):
        nxt = r[t + 1] if t + 1 < len(r) else 0.0
        reverting = sign(nxt) == -sign(r[t]) and abs(nxt) >= revert * abs(r[t])
        if not (reverting and abs(r[t] - centre) > threshold / 5 * scale):
            continue
        past = r[max(0, t - window):t]
        med = median(past)
        mad = median([abs(x - med) for x in past])
        z = (r[t] - med) / (checks.MAD_TO_SIGMA * mad) if mad > 0 else 0.0
        if abs(z) > threshold:
            out.append(checks.Issue("spike", t + 1, f"log return {r[t]:+.4%} is {z:+.1f} robust sigma and reverts"))
    return out


def prices(seed: int, n: int, decimals: int, odd: int) -> np.ndarray:
    """A random walk whose volatility and drift change, with reverting spikes, rounded (so flat runs occur)."""
    rng = np.random.default_rng(seed)
    vol = np.repeat(rng.uniform(0.0005, 0.01, n // 50 + 1), 50)[:n]
    drift = np.repeat(rng.normal(0, 1.5, n // 50 + 1), 50)[:n]
    close = 100 * np.exp(np.cumsum((rng.normal(0, 1, n) + drift) * vol))
    for at in rng.integers(0, max(n - 1, 1), n // 40):
        close[at] *= math.exp(rng.choice([-1, 1]) * rng.uniform(0.005, 0.1))
    close = np.round(close, decimals)
    if odd and n:
        close[rng.integers(0, n, odd)] = rng.choice([0.0, -1.0, math.nan], odd)
    return close


@EXAMPLES
@given(st.integers(0, 2**32 - 1), st.integers(0, 700), st.integers(30, 250), st.floats(0.5, 20.0),
       st.integers(0, 4), st.sampled_from([0, 0, 0, 1, 2]))
def test_spikes_match_the_reference(seed: int, n: int, window: int, threshold: float, decimals: int, odd: int) -> None:
    close = prices(seed, n, decimals, odd)
    with np.errstate(all="ignore"):
        assert checks.spikes(close, window, threshold) == spikes_reference(close, window, threshold)


@EXAMPLES
@given(st.integers(0, 2**32 - 1), st.integers(1, 400), st.sampled_from([60, 900, 3600, 14400, 86400, 604800, 2592000]))
def test_present_bars_are_exactly_the_expected_times_held(seed: int, n: int, step: int) -> None:
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000 + rng.integers(-5, 2 * n, n) * step + rng.choice([0, 0, 0, 17], n)  # unsorted, repeats, off-grid
    assert np.array_equal(bar_grid(ts, step).present, np.isin(expected_times(ts, step), ts))


@EXAMPLES
@given(st.integers(1_600_000_000, 1_700_000_000), st.integers(1, 30_000),
       st.sampled_from([7, 60, 3600, 86400, 2592000]))
def test_grid_slots_are_the_week_slots_of_the_expected_times(first: int, n: int, step: int) -> None:
    ts = np.array([first, first + (n - 1) * step], dtype=np.int64)
    slot = min(step, 3600)
    assert np.array_equal(bar_grid(ts, step, slot).slots, week_slot(expected_times(ts, step), slot))


@EXAMPLES
@given(st.lists(st.integers(0, 3), min_size=1, max_size=30) | st.lists(st.integers(-3, 40), min_size=1, max_size=30),
       st.booleans())
def test_zero_spread_counts_its_way_to_the_median(spread: list[int], floats: bool) -> None:
    x = np.array(spread, dtype=np.float64 if floats else np.int32)
    assert checks._median_at_most_zero(x) == bool(np.median(x) <= 0)


@EXAMPLES
@given(st.lists(st.sampled_from([-60, 0, 60, 120, 3600]), max_size=8), st.sampled_from([60, 120, 3600, 7]))
def test_a_likely_spacing_changes_nothing_but_the_speed(steps: list[int], likely: int) -> None:
    ts = 1_700_000_000 + np.cumsum(np.array(steps, dtype=np.int64))
    assert modal_spacing(ts, likely) == modal_spacing(ts)
