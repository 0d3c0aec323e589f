"""q-values: hand-computed cases, monotone and capped, equal to statsmodels where it is installed."""

from __future__ import annotations

import numpy as np
import pytest

from kinetra.errors import ResearchInputError
from kinetra.research.multiple_testing import adjust_p_values

P = [0.01, 0.04, 0.03, 0.20]


def test_benjamini_hochberg_matches_a_hand_computation() -> None:
    # sorted p 0.01, 0.03, 0.04, 0.20 -> p*m/rank 0.04, 0.06, 0.0533, 0.20 -> running min from the top
    assert adjust_p_values(P, "bh") == pytest.approx([0.04, 0.0533333, 0.0533333, 0.20])


def test_holm_matches_a_hand_computation() -> None:
    # sorted: 4*0.01, 3*0.03, 2*0.04, 1*0.20 = 0.04, 0.09, 0.08, 0.20 -> running max 0.04, 0.09, 0.09, 0.20
    assert adjust_p_values(P, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.20])


def test_bonferroni_multiplies_by_the_family_size_and_caps_at_one() -> None:
    assert adjust_p_values([0.01, 0.3, 0.5], "bonferroni") == pytest.approx([0.03, 0.9, 1.0])


def test_benjamini_yekutieli_scales_bh_by_the_harmonic_sum() -> None:
    bh = adjust_p_values(P, "bh")
    assert adjust_p_values(P, "by") == pytest.approx(np.minimum(1, bh * (1 + 1 / 2 + 1 / 3 + 1 / 4)))


@pytest.mark.parametrize("method", ["bh", "by", "holm", "bonferroni"])
def test_adjusted_values_are_monotone_in_p_capped_at_one_and_never_below_p(method: str) -> None:
    p = np.random.default_rng(3).random(50) ** 3
    q = adjust_p_values(p, method)
    order = np.argsort(p)
    assert np.all(np.diff(q[order]) >= -1e-15)
    assert np.all(q <= 1) and np.all(q >= p - 1e-15)


def test_ties_get_the_same_q_value_and_an_empty_family_is_empty() -> None:
    q = adjust_p_values([0.02, 0.02, 0.5], "bh")
    assert q[0] == q[1] == pytest.approx(0.03)
    assert len(adjust_p_values([], "bh")) == 0


def test_p_values_outside_zero_one_or_an_unknown_method_raise() -> None:
    with pytest.raises(ResearchInputError):
        adjust_p_values([0.1, np.nan])
    with pytest.raises(ResearchInputError):
        adjust_p_values([0.1], "sidak")


@pytest.mark.parametrize(("ours", "theirs"), [("bh", "fdr_bh"), ("by", "fdr_by"), ("holm", "holm"),
                                              ("bonferroni", "bonferroni")])
def test_equals_statsmodels_multipletests(ours: str, theirs: str) -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(11).random(200) ** 2
    p[5] = p[6]
    assert adjust_p_values(p, ours) == pytest.approx(multitest.multipletests(p, method=theirs)[1], abs=1e-12)
