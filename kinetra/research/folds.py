"""Validation folds on one series' bars: walk-forward windows and combinatorial purged CV groups.

Pure functions of bar counts; a fold is bar index ranges [start, end). The test windows of a
scheme never overlap and, laid end to end, cover one contiguous stretch of bars, so a
candidate's out-of-sample returns form one series.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from kinetra.errors import ResearchInputError

Span = tuple[int, int]


@dataclass(frozen=True)
class Fold:
    """One fold: bars to learn (and select parameters) on, and the bars tested after."""

    index: int
    train: tuple[Span, ...]
    test: Span

    @property
    def train_bars(self) -> int:
        """Bars in the training spans."""
        return sum(b - a for a, b in self.train)


def walk_forward(n: int, folds: int | None, train: int | None = None, test: int | None = None,
                 mode: str = "rolling") -> list[Fold]:
    """Walk-forward folds over n bars.

    Without train/test, n is cut into folds + 1 equal blocks (the last test window takes the
    remainder): block 0 trains, blocks 1..folds are tested. With them, test windows of `test` bars
    follow the first `train` bars back to back; `folds` keeps the last ones. Rolling trains on the
    `train` bars before each test window, anchored on every bar before it.
    """
    if mode not in ("rolling", "anchored"):
        raise ResearchInputError(f"unknown walk-forward mode {mode!r} (rolling or anchored)")
    if train is None or test is None:
        if not folds:
            raise ResearchInputError("walk-forward needs folds, or train and test window lengths")
        block = n // (folds + 1)
        if block < 2:
            raise ResearchInputError(f"{n} bars are too few for {folds} walk-forward folds")
        starts = [block * (i + 1) for i in range(folds)]
        ends = starts[1:] + [n]
        train = block
    else:
        count = (n - train) // test if n > train else 0
        if count < 1:
            raise ResearchInputError(f"{n} bars are too few for a train window of {train} and a test window of {test}")
        starts = [train + test * i for i in range(count)]
        ends = [s + test for s in starts]
        if folds:
            starts, ends = starts[-folds:], ends[-folds:]
    out = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        first = 0 if mode == "anchored" else max(0, start - train)
        out.append(Fold(i, ((first, start),), (start, end)))
    return out


def group_bounds(n: int, groups: int) -> list[Span]:
    """Cut n bars into `groups` contiguous groups of near-equal size (the first ones take the remainder)."""
    if n < 2 * groups:
        raise ResearchInputError(f"{n} bars are too few for {groups} cross-validation groups")
    size, extra = divmod(n, groups)
    bounds, start = [], 0
    for g in range(groups):
        end = start + size + (1 if g < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


def embargo_bars(n: int, embargo: float) -> int:
    """Embargo in bars: a count as given, or a fraction of n when below 1."""
    return int(math.ceil(embargo * n)) if embargo < 1 else int(embargo)


def purged_train(bounds: list[Span], tested: tuple[int, ...], embargo: int) -> tuple[Span, ...]:
    """Training spans of a split: every group not tested, less `embargo` bars beside each tested group."""
    spans = []
    for g, (a, b) in enumerate(bounds):
        if g in tested:
            continue
        if g - 1 in tested:
            a += embargo
        if g + 1 in tested:
            b -= embargo
        if b > a:
            spans.append((a, b))
    return tuple(spans)


def purged_groups(n: int, groups: int, embargo: float) -> list[Fold]:
    """One fold per CPCV group: tested alone, trained on the other groups less the embargo."""
    bounds = group_bounds(n, groups)
    gap = embargo_bars(n, embargo)
    return [Fold(g, purged_train(bounds, (g,), gap), span) for g, span in enumerate(bounds)]


def purged_splits(groups: int, test_groups: int) -> list[tuple[int, ...]]:
    """Every CPCV split: the tuple of groups tested together, C(groups, test_groups) of them."""
    return list(itertools.combinations(range(groups), test_groups))


def split_paths(groups: int, test_groups: int) -> list[list[int]]:
    """The CPCV backtest paths: for each path, the split that supplies each group's test returns.

    Group g is tested in C(groups - 1, test_groups - 1) splits; path p takes g's p-th of them
    (Lopez de Prado 2018, 12.4), so every path covers every group exactly once.
    """
    splits = purged_splits(groups, test_groups)
    per_group = [[i for i, s in enumerate(splits) if g in s] for g in range(groups)]
    n_paths = len(per_group[0])
    return [[per_group[g][p] for g in range(groups)] for p in range(n_paths)]
