"""Running a suite: select and load series, expand jobs, run them in parallel, judge, store, report.

The run kind "test". Jobs are configuration x series x fold; one worker task computes a
configuration's positions on a series once and backtests all its pending folds. Finished jobs are
stored as they complete, so a cancelled or killed run resumes where it stopped; the run records
a fingerprint of the exact bars used and refuses to resume on different data.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, time as dtime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kinetra.backtest import SymbolSpec
from kinetra.backtest.signals import series_spec
from kinetra.backtest.metrics import bars_per_year
from kinetra.data.inventory import SeriesInfo, list_series, load_bars
from kinetra.data.timeframes import parse_timeframe
from kinetra.errors import ResearchInputError, RunCancelled
from kinetra.research import folds as folding
from kinetra.research import results
from kinetra.research.evaluate import evaluate
from kinetra.research.report import report_dir, write_report
from kinetra.research.outcomes import Outcome, config_outcome, cpcv_path_sharpes, selected_outcome
from kinetra.research.suite import SeriesSelection, Suite, config_label, parse_suite, window_bars
from kinetra.research.trials import run_trial
from kinetra.runs import records


@dataclass
class Market:
    """One selected series, loaded: its bars over the suite's period, spec, calendar and folds."""

    info: SeriesInfo
    bars: pd.DataFrame
    spec: SymbolSpec
    per_year: float
    folds: list[folding.Fold]
    label: str
    """How the series is named in results: SYMBOL TF, and the broker where two brokers hold it."""


def select_series(store: Any, selection: SeriesSelection) -> list[SeriesInfo]:
    """The stored series a selection picks, in symbol order; an empty pick is an error naming the filters."""
    tfs = {parse_timeframe(tf) for tf in selection.timeframes}
    symbols = {s.upper() for s in selection.symbols}
    classes = {c.lower() for c in selection.asset_classes}
    picked = [s for s in list_series(store) if s.bars > 0
              and (not tfs or s.timeframe in tfs) and (not symbols or s.symbol.upper() in symbols)
              and (not classes or s.asset_class.lower() in classes)
              and (not selection.brokers or s.broker in selection.brokers)]
    if selection.limit:
        picked = picked[:selection.limit]
    if not picked:
        raise ResearchInputError(f"no stored series match the suite's selection ({_describe(selection)});"
                                 " see `kinetra data list`")
    return picked


def _describe(selection: SeriesSelection) -> str:
    parts = [f"{k}={','.join(v)}" for k, v in (("symbols", selection.symbols), ("asset_classes", selection.asset_classes),
                                                 ("timeframes", selection.timeframes), ("brokers", selection.brokers)) if v]
    return "; ".join(parts) or "any series"


def _bound(day: Any, end: bool) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, dtime(23, 59, 59) if end else dtime(0, 0))


def fold_plan(suite: Suite, bars: pd.DataFrame) -> list[folding.Fold]:
    """The suite's validation folds on one series' bars."""
    v, n = suite.validation, len(bars)
    if v.scheme == "cpcv":
        return folding.purged_groups(n, v.groups, v.embargo)
    train = test = None
    if v.train is not None and v.test is not None:
        span_days = max((bars.index[-1] - bars.index[0]).total_seconds() / 86400, 1e-9)
        per_day = n / span_days
        train, test = window_bars(v.train, per_day), window_bars(v.test, per_day)
    return folding.walk_forward(n, v.folds, train, test, v.mode)


def load_markets(store: Any, suite: Suite) -> list[Market]:
    """Load every selected series over the suite's period with its spec, calendar and folds."""
    out = []
    picked = select_series(store, suite.series)
    names = [f"{s.symbol} {s.timeframe}" for s in picked]
    for info, name in zip(picked, names, strict=True):
        bars = load_bars(store, info.id, _bound(suite.period.start, False), _bound(suite.period.end, True))
        if len(bars) < 4:
            raise ResearchInputError(f"{info.symbol} {info.timeframe}: only {len(bars)} bars in the suite's period")
        try:
            folds = fold_plan(suite, bars)
        except ResearchInputError as err:
            raise ResearchInputError(f"{info.symbol} {info.timeframe}: {err}") from None
        label = name if names.count(name) == 1 else f"{name} ({info.broker})"
        out.append(Market(info, bars, series_spec(store, info), bars_per_year(bars.index), folds,
                          label))
    return out


def fingerprint(markets: list[Market]) -> str:
    """SHA-256 (first 16 hex digits) of the exact bars used: series, times and prices."""
    digest = hashlib.sha256()
    for m in markets:
        digest.update(f"{m.info.broker}|{m.info.symbol}|{m.info.timeframe}|{len(m.bars)}".encode())
        digest.update(np.ascontiguousarray(m.bars.index.asi8).tobytes())
        for col in ("open", "high", "low", "close", "spread"):
            digest.update(np.ascontiguousarray(m.bars[col].to_numpy(dtype=np.float64)).tobytes())
    return digest.hexdigest()[:16]


POOL_MIN_SECONDS = 15.0
"""Work estimated under this many seconds in one process is not worth starting worker processes for."""
FLUSH_SECONDS = 2.0
"""Finished jobs are written (with progress) at most this often: every store write costs a checkpoint."""

# --- worker processes -------------------------------------------------------------------------
_MARKETS: dict[int, tuple[pd.DataFrame, SymbolSpec]] = {}


def _init_worker(path: str) -> None:
    """Pool initializer: load the bars and specs once per worker, from the file the run wrote for them.

    A file rather than initargs: a spawned worker's arguments go down a pipe the parent blocks on
    while the child starts, which would start the workers one after the other.
    """
    with open(path, "rb") as handle:
        _MARKETS.update(pickle.load(handle))


def _work(agent: str, params: dict[str, Any], series_id: int, folds: list[folding.Fold], costs: bool,
          fill: str) -> list[Any]:
    bars, spec = _MARKETS[series_id]
    return run_trial(bars, spec, agent, params, folds, costs, fill)


# --- the run ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkItem:
    """One worker task: a configuration's pending folds on one series."""

    config: str
    agent: str
    params: dict[str, Any]
    series_id: int
    folds: tuple[folding.Fold, ...]


def plan(suite: Suite, markets: list[Market], done: set[tuple[str, int, int]]) -> tuple[list[WorkItem], int]:
    """Work items for the jobs not yet done, and the suite's total job count."""
    items, total = [], 0
    for agent, params in suite.candidates():
        label = config_label(agent, params)
        for m in markets:
            total += len(m.folds)
            pending = tuple(f for f in m.folds if (label, m.info.id, f.index) not in done)
            if pending:
                items.append(WorkItem(label, agent, params, m.info.id, pending))
    return items, total


def _workers(requested: int | None, items: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested or cores, items))


def _eta(started: float, done_now: int, done_before: int, total: int) -> str:
    made = done_now - done_before
    if made <= 0:
        return ""
    left = (time.monotonic() - started) / made * (total - done_now)
    return f", ETA {left:.0f} s" if left >= 1 else ""


def _stream(items: list[WorkItem], markets: list[Market], suite: Suite, workers: int, folder: Path,
            note: Callable[[str], None]) -> Iterator[tuple[WorkItem, list[Any]] | None]:
    """Yield each item with its fold results as it finishes, or None every half second while waiting.

    The first items run in this process; the rest go to a spawned pool only when the second item's
    time says they would take more than POOL_MIN_SECONDS here (a worker costs seconds to start),
    with at most two items per worker in flight, so a cancel leaves little queued work behind.
    Closing the generator stops the pool.
    """
    bars = {m.info.id: (m.bars, m.spec) for m in markets}
    queue = list(reversed(items))

    def here(i: WorkItem) -> list[Any]:
        return run_trial(*bars[i.series_id], i.agent, i.params, list(i.folds), suite.costs, suite.fill)

    seconds = 0.0
    for _ in range(2):  # the first pays for loading compiled kernels; the second is the typical item
        if not queue:
            return
        i, started = queue.pop(), time.monotonic()
        folds = here(i)
        seconds = time.monotonic() - started
        yield i, folds
    if workers == 1 or seconds * len(queue) < POOL_MIN_SECONDS:
        while queue:
            i = queue.pop()
            yield i, here(i)
        return
    payload = folder / "markets.pickle"
    with open(payload, "wb") as handle:
        pickle.dump(bars, handle, protocol=pickle.HIGHEST_PROTOCOL)
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker,
                               initargs=(str(payload),))
    note(f"{len(queue)} work items on {workers} worker processes")
    running = {}
    try:
        while queue or running:
            while queue and len(running) < 2 * workers:
                i = queue.pop()
                running[pool.submit(_work, i.agent, i.params, i.series_id, list(i.folds), suite.costs, suite.fill)] = i
            finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            if not finished:
                yield None
            for future in finished:
                yield running.pop(future), future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        payload.unlink(missing_ok=True)


def execute_jobs(ctx: Any, suite: Suite, markets: list[Market], workers: int | None) -> int:
    """Run every pending job, storing finished folds at most every FLUSH_SECONDS; return the jobs run."""
    done = results.finished_jobs(ctx.store, ctx.run_id)
    items, total = plan(suite, markets, done)
    before = total - sum(len(i.folds) for i in items)
    if before:
        ctx.event(f"resuming: {before} of {total} jobs already finished")
    if not items:
        return 0
    count, started, flushed = before, time.monotonic(), time.monotonic()
    ctx.progress(0.9 * count / total, f"{count}/{total} jobs")
    unsaved: list[tuple[str, int, list[Any]]] = []

    def flush() -> None:
        nonlocal flushed
        results.save_folds(ctx.store, ctx.run_id, unsaved)
        unsaved.clear()
        flushed = time.monotonic()
        ctx.progress(0.9 * count / total, f"{count}/{total} jobs{_eta(started, count, before, total)}")

    stream = _stream(items, markets, suite, _workers(workers, len(items)), report_dir(ctx.store, ctx.run_id),
                     ctx.event)
    try:
        for finished in stream:
            if finished is not None:
                item, folds = finished
                unsaved.append((item.config, item.series_id, folds))
                count += len(item.folds)
            if unsaved and time.monotonic() - flushed >= FLUSH_SECONDS:
                flush()
            ctx.check_cancel()
    except RunCancelled:
        raise RunCancelled(f"cancelled after {count} of {total} jobs; resume to finish the rest") from None
    finally:
        stream.close()
        if unsaved:
            flush()
    return count - before


def outcomes_of(suite: Suite, markets: list[Market], folds_by: dict[tuple[str, int], list[Any]]) -> tuple[list[Outcome], dict[str, list[float]]]:
    """Stitch every configuration's folds into outcomes; add walk-forward selections and CPCV paths per group."""
    outcomes, paths = [], {}
    configs = [(config_label(a, p), a, p) for a, p in suite.candidates()]
    for m in markets:
        for agent in dict.fromkeys(a for _, a, _ in configs):
            mine = [(label, p) for label, a, p in configs if a == agent]
            by_config = {label: folds_by[(label, m.info.id)] for label, _ in mine}
            for label, params in mine:
                outcomes.append(config_outcome(f"{label} @ {m.label}", agent, params, m.info.id, m.label,
                                               m.bars, by_config[label], suite.fill))
            if len(mine) < 2:
                continue
            v = suite.validation
            if v.scheme == "walk_forward":
                outcomes.append(selected_outcome(agent, m.info.id, m.label, m.bars, by_config, suite.fill))
            else:
                paths[f"{agent}@{m.label}"] = cpcv_path_sharpes(by_config, v.groups, v.test_groups, v.embargo,
                                                                m.per_year)
    return outcomes, paths


def run_suite(ctx: Any, suite: Suite, workers: int | None = None) -> dict[str, Any]:
    """Run a suite as the run `ctx`: jobs, verdicts, stored results and the report; return the summary."""
    ctx.progress(0.0, "loading series")
    markets = load_markets(ctx.store, suite)
    digest = fingerprint(markets)
    rec = records.get(ctx.store, ctx.run_id)
    if rec.data_fingerprint and rec.data_fingerprint != digest:
        raise ResearchInputError("the bars changed since this run started (new data or a gap fill);"
                                 " start a new run instead of resuming")
    records.update(ctx.store, ctx.run_id, data_fingerprint=digest)
    ran = execute_jobs(ctx, suite, markets, workers)
    ctx.progress(0.9, "judging candidates")
    outcomes, paths = outcomes_of(suite, markets, results.load_folds(ctx.store, ctx.run_id))
    ctx.check_cancel()
    evaluations = evaluate(outcomes, suite, {m.info.id: m.per_year for m in markets}, ctx.check_cancel)
    for e in evaluations:
        if e.outcome.group in paths:
            e.stats["cpcv_path_sharpes"] = paths[e.outcome.group]
    ctx.check_cancel()
    results.save_candidates(ctx.store, ctx.run_id, evaluations)
    ctx.progress(0.97, "writing the report")
    report = write_report(ctx.store, ctx.run_id)
    edges = [e.outcome.name for e in evaluations if e.stats["verdict"] == "edge"]
    ctx.progress(1.0, f"{len(evaluations)} candidates, {len(edges)} with an edge")
    return {"suite": suite.name, "series": len(markets), "candidates": len(evaluations), "jobs_run": ran,
            "jobs": sum(len(m.folds) for m in markets) * len(suite.candidates()), "edges": edges,
            "data_fingerprint": digest, "report": str(report)}


def test_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `test`: params {"suite": suite data, "workers": optional int}."""
    suite = parse_suite(params["suite"], f"suite of run {ctx.run_id}")
    workers = params.get("workers")
    return run_suite(ctx, suite, int(workers) if workers else None)

