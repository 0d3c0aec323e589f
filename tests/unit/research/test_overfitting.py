"""PBO by CSCV: 0 when the in-sample best stays best, 1 when it always flips, ~0.5 for noise; equals a loop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from kinetra.errors import ResearchInputError
from kinetra.research.overfitting import pbo_cscv, split_masks


def reference_pbo(m: np.ndarray, s: int) -> tuple[float, list[float]]:
    """A literal reading of Bailey et al. (2015): loop over splits, Sharpe per column, rank, logit."""
    blocks = np.array_split(np.arange(len(m)), s)
    logits = []
    for train in itertools.combinations(range(s), s // 2):
        rows_in = np.concatenate([blocks[b] for b in train])
        rows_out = np.concatenate([blocks[b] for b in range(s) if b not in train])
        perf_in = [m[rows_in, j].mean() / m[rows_in, j].std(ddof=1) for j in range(m.shape[1])]
        perf_out = [m[rows_out, j].mean() / m[rows_out, j].std(ddof=1) for j in range(m.shape[1])]
        best = int(np.argmax(perf_in))
        rank = 1 + sum(p < perf_out[best] for p in perf_out)
        w = rank / (m.shape[1] + 1)
        logits.append(float(np.log(w / (1 - w))))
    return float(np.mean(np.array(logits) <= 0)), logits


def test_equals_the_loop_reference_on_noise() -> None:
    m = np.random.default_rng(5).normal(0, 1, (240, 7))
    result = pbo_cscv(m, 8)
    pbo, logits = reference_pbo(m, 8)
    assert result.pbo == pytest.approx(pbo)
    assert result.logits == pytest.approx(logits)
    assert result.n_splits == 70


def test_pbo_is_zero_when_the_in_sample_best_is_always_the_out_of_sample_best() -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(0, 1, (400, 6)) * 0.01 + np.arange(6) * 0.5
    result = pbo_cscv(m, 10)
    assert result.pbo == 0.0
    assert np.all(result.logits > 0)
    assert result.prob_oos_loss == 0.0


def test_pbo_is_one_when_the_in_sample_best_always_ranks_in_the_bottom_half() -> None:
    # Config j earns only in block j and loses a little elsewhere: whatever wins in-sample has its
    # winning block in-sample, so out of sample it has nothing but losses.
    s, per = 8, 30
    rng = np.random.default_rng(1)
    m = -0.1 + 0.01 * rng.normal(size=(s * per, s))
    for j in range(s):
        m[j * per:(j + 1) * per, j] += 1.1
    result = pbo_cscv(m, s)
    assert result.pbo == 1.0
    assert np.all(result.logits < 0)


def test_pbo_of_pure_noise_is_near_one_half() -> None:
    pbos = [pbo_cscv(np.random.default_rng(seed).normal(0, 1, (320, 10)), 8).pbo for seed in range(30)]
    assert 0.3 < np.mean(pbos) < 0.7


def test_splits_are_every_half_of_the_blocks() -> None:
    masks = split_masks(6)
    assert masks.shape == (20, 6)
    assert np.all(masks.sum(axis=1) == 3)
    assert len({tuple(row) for row in masks}) == 20


@pytest.mark.parametrize(("shape", "blocks"), [((100, 1), 4), ((100, 3), 5), ((10, 3), 16)])
def test_bad_shapes_and_block_counts_raise(shape: tuple[int, int], blocks: int) -> None:
    with pytest.raises(ResearchInputError):
        pbo_cscv(np.ones(shape), blocks)
