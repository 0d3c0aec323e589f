"""Validation folds: walk-forward windows and CPCV groups, splits and paths on known bar counts."""

from __future__ import annotations

import math

import pytest

from kinetra.errors import ResearchInputError
from kinetra.research.folds import (embargo_bars, group_bounds, purged_groups, purged_splits, purged_train,
                                    split_paths, walk_forward)


def test_equal_blocks_rolling_and_anchored() -> None:
    rolling = walk_forward(603, folds=5)
    assert [f.test for f in rolling] == [(100, 200), (200, 300), (300, 400), (400, 500), (500, 603)]
    assert [f.train for f in rolling] == [((0, 100),), ((100, 200),), ((200, 300),), ((300, 400),), ((400, 500),)]
    anchored = walk_forward(603, folds=5, mode="anchored")
    assert [f.train for f in anchored] == [((0, s),) for s in (100, 200, 300, 400, 500)]


def test_explicit_windows_keep_the_last_folds() -> None:
    folds = walk_forward(1000, folds=None, train=300, test=200)
    assert [f.test for f in folds] == [(300, 500), (500, 700), (700, 900)]
    assert [f.train for f in folds] == [((0, 300),), ((200, 500),), ((400, 700),)]
    last = walk_forward(1000, folds=2, train=300, test=200)
    assert [f.test for f in last] == [(500, 700), (700, 900)] and [f.index for f in last] == [0, 1]


def test_too_few_bars_is_an_error() -> None:
    with pytest.raises(ResearchInputError, match="too few"):
        walk_forward(10, folds=5)
    with pytest.raises(ResearchInputError, match="train window of 300 and a test window of 200"):
        walk_forward(400, folds=None, train=300, test=200)
    with pytest.raises(ResearchInputError, match="too few"):
        group_bounds(9, 6)


def test_groups_tile_the_bars_and_training_leaves_out_the_embargo() -> None:
    bounds = group_bounds(62, 6)
    assert bounds[0] == (0, 11) and bounds[-1] == (52, 62) and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert embargo_bars(1000, 0.01) == 10 and embargo_bars(1000, 7) == 7
    assert purged_train([(0, 10), (10, 20), (20, 30), (30, 40)], (1, 2), 3) == ((0, 7), (33, 40))
    folds = purged_groups(600, 6, 5)
    assert folds[2].test == (200, 300) and folds[2].train == ((0, 100), (100, 195), (305, 400), (400, 500), (500, 600))


@pytest.mark.parametrize(("groups", "k"), [(6, 2), (5, 1), (6, 3), (8, 2)])
def test_every_path_covers_every_group_once_from_a_split_that_tests_it(groups: int, k: int) -> None:
    splits = purged_splits(groups, k)
    assert len(splits) == math.comb(groups, k)
    paths = split_paths(groups, k)
    assert len(paths) == math.comb(groups - 1, k - 1)
    for path in paths:
        assert all(g in splits[split] for g, split in enumerate(path))
    for g in range(groups):  # each of a group's splits serves exactly one path
        assert sorted(p[g] for p in paths) == [i for i, s in enumerate(splits) if g in s]
