"""The verdict names every failed test; assess wires p, q, DSR and PBO together over a family."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from kinetra.research.assess import Candidate, assess
from kinetra.research.nulls import TradeBook
from kinetra.research.verdict import CandidateStats, VerdictConfig, verdict


def test_edge_only_when_q_dsr_and_pbo_all_pass() -> None:
    assert verdict(CandidateStats("a", q_value=0.01, dsr=0.97, pbo=0.2)) == ("edge", [])


def test_no_edge_lists_every_failed_test_in_words() -> None:
    label, reasons = verdict(CandidateStats("a", q_value=0.21, dsr=0.62, pbo=0.71))
    assert label == "no edge"
    assert reasons == ["q 0.21 > 0.05", "DSR 0.62 < 0.95", "PBO 0.71 > 0.5"]


def test_undefined_q_or_dsr_fails_but_a_group_of_one_has_no_pbo_to_fail() -> None:
    assert verdict(CandidateStats("a", math.nan, math.nan)) == ("no edge", ["q undefined > 0.05",
                                                                           "DSR undefined < 0.95"])
    assert verdict(CandidateStats("a", 0.01, 0.99, math.nan)) == ("edge", [])


def test_thresholds_come_from_the_config() -> None:
    stats = CandidateStats("a", q_value=0.08, dsr=0.9, pbo=0.55)
    assert verdict(stats, VerdictConfig(alpha=0.1, dsr_min=0.8, pbo_max=0.6)) == ("edge", [])


def test_config_defaults_and_strictness() -> None:
    config = VerdictConfig()
    assert (config.alpha, config.correction, config.dsr_min, config.pbo_max, config.n_boot) == (0.05, "bh", 0.95,
                                                                                                0.5, 1000)
    with pytest.raises(ValidationError):
        VerdictConfig(alpha=0.05, corection="bh")
    with pytest.raises(ValidationError):
        VerdictConfig(correction="sidak")


def _candidate(name: str, group: str, mean: float, seed: int, n: int = 800) -> Candidate:
    rng = np.random.default_rng(seed)
    r = rng.normal(mean, 0.01, n)
    book = TradeBook(np.arange(0, n, 10), np.full(n // 10, 10), np.ones(n // 10), n)
    return Candidate(name, group, r, book, np.log1p(r), per_year=252)


def test_assess_judges_a_family_and_is_reproducible() -> None:
    family = [_candidate(f"noise{i}", "noise", 0.0, i) for i in range(6)] + [_candidate("solo", "solo", 0.0, 99)]
    config = VerdictConfig(null="sign_flip", n_null=199, n_boot=200, seed=3)
    first, again = assess(family, config), assess(family, config)
    assert first == again
    assert [a.name for a in first] == [c.name for c in family]
    assert all(a.label == "no edge" and a.reasons for a in first)
    assert math.isnan(first[-1].pbo) and 0 <= first[0].pbo <= 1
    assert all(a.sharpe_low <= a.sharpe <= a.sharpe_high for a in first)
    assert all(a.q_value >= a.p_value for a in first)


def test_assess_counts_the_trials_actually_run() -> None:
    family = [_candidate(f"c{i}", "g", 0.0005 * i, i) for i in range(5)]
    config = VerdictConfig(null="bootstrap", n_null=99, n_boot=0)
    few = assess(family, config)
    many = assess(family, config, n_trials=1000)
    assert all(m.dsr <= f.dsr for m, f in zip(many, few, strict=True))
    assert math.isnan(few[0].sharpe_low)
