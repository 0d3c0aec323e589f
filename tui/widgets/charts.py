"""Charts drawn into a PlotextPlot's `plt`: equity, drawdown, and a histogram with one value marked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kinetra.research.report import drawdown

POINTS = 400
"""Curves are drawn from at most this many evenly spaced points: a terminal chart is ~100 cells wide."""
MIN_BINS, MAX_BINS = 10, 30
"""Histogram bins: about the square root of the draws, within these bounds."""


def thin(series: pd.Series, points: int = POINTS) -> pd.Series:
    """At most `points` evenly spaced values of `series`, keeping the first and the last."""
    if len(series) <= points:
        return series
    return series.iloc[np.unique(np.linspace(0, len(series) - 1, points).astype(np.int64))]


def time_ticks(plt: Any, index: pd.DatetimeIndex, count: int = 3) -> None:
    """Label the x axis (positions 0..n-1) with `count` evenly spaced dates of `index`.

    Few enough to stay apart on a half-screen chart: plotext places crowded labels in an order
    that changes from one process to the next (it dedups them through a set of strings).
    """
    ticks = sorted({round(i * (len(index) - 1) / count) for i in range(count)})
    plt.xticks(ticks, [f"{index[i]:%Y-%m-%d}" for i in ticks])


def plot_equity(plt: Any, equity: pd.Series, title: str) -> None:
    """Draw the equity curve over time."""
    plt.clear_figure()
    plt.title(title)
    if equity.empty:
        return
    shown = thin(equity)
    plt.plot(list(range(len(shown))), shown.tolist(), marker="braille", color="cyan")
    time_ticks(plt, shown.index)


def plot_drawdown(plt: Any, equity: pd.Series) -> None:
    """Draw the drawdown from the running peak, in percent (taken on every bar, then thinned)."""
    plt.clear_figure()
    if equity.empty:
        plt.title("drawdown %")
        return
    dd = thin(drawdown(equity) * 100)
    plt.title(f"drawdown %, worst {dd.min():.1f}%")
    plt.plot(list(range(len(dd))), dd.tolist(), marker="braille", color="red")
    time_ticks(plt, dd.index)


def plot_histogram(plt: Any, draws: np.ndarray, observed: float | None, title: str) -> None:
    """Draw the distribution of `draws` with a red line at `observed` (the axis widened to show it)."""
    plt.clear_figure()
    plt.title(title)
    finite = np.asarray(draws, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return
    plt.hist(finite.tolist(), bins=int(np.clip(np.sqrt(len(finite)), MIN_BINS, MAX_BINS)), color="gray")
    plt.xlabel("red: this candidate")
    if observed is not None and np.isfinite(observed):
        low, high = min(finite.min(), observed), max(finite.max(), observed)
        pad = (high - low) * 0.05 or 1e-9
        plt.xlim(low - pad, high + pad)
        plt.vline(observed, "red")
