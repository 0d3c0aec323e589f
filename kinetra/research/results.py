"""Test-run results in the store: finished jobs (what a resumed run skips) and candidates' evidence."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from kinetra.errors import UnknownRunError
from kinetra.research.evaluate import Evaluation
from kinetra.research.trials import FoldResult

_TIME_COLUMNS = ("entry_time", "exit_time")


def _npy(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(values), allow_pickle=False)
    return buffer.getvalue()


def _unnpy(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


def trades_to_json(trades: pd.DataFrame) -> str:
    """Trades as JSON columns and rows, times as UTC nanoseconds, NaN as null."""
    frame = trades.copy()
    for col in _TIME_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.DatetimeIndex(frame[col]).as_unit("ns").asi8
    return frame.to_json(orient="split", index=False, double_precision=15)


def trades_from_json(text: str) -> pd.DataFrame:
    """The inverse of `trades_to_json` (times back to UTC timestamps)."""
    data = json.loads(text)
    frame = pd.DataFrame(data["data"], columns=data["columns"])
    for col in _TIME_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col].astype("int64"), unit="ns", utc=True)
    return frame


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def save_folds(store: Any, run_id: str, items: list[tuple[str, int, list[FoldResult]]]) -> None:
    """Record finished folds, given as (config, series_id, folds) items, in one transaction."""
    rows = [[run_id, config, series_id, f.fold, f.test_start, f.test_end,
             f.train_sharpe if np.isfinite(f.train_sharpe) else None, json.dumps(f.metrics, default=float),
             _npy(f.returns), trades_to_json(f.trades), _now()] for config, series_id, folds in items for f in folds]
    if not rows:
        return
    with store.session() as con:
        con.executemany("INSERT INTO test_jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def finished_jobs(store: Any, run_id: str) -> set[tuple[str, int, int]]:
    """The (config, series_id, fold) jobs of a run already finished."""
    with store.session() as con:
        rows = con.execute("SELECT config, series_id, fold FROM test_jobs WHERE run_id = ?", [run_id]).fetchall()
    return {(c, int(s), int(f)) for c, s, f in rows}


def load_folds(store: Any, run_id: str) -> dict[tuple[str, int], list[FoldResult]]:
    """Every finished fold of a run, by (config, series_id), in fold order."""
    with store.session() as con:
        rows = con.execute("SELECT config, series_id, fold, test_start, test_end, train_sharpe, metrics, returns,"
                           " trades FROM test_jobs WHERE run_id = ? ORDER BY config, series_id, fold",
                           [run_id]).fetchall()
    out: dict[tuple[str, int], list[FoldResult]] = defaultdict(list)
    for config, series_id, fold, a, b, train, metrics, returns, trades in rows:
        out[(config, int(series_id))].append(FoldResult(
            int(fold), int(a), int(b), float("nan") if train is None else float(train), _unnpy(returns),
            trades_from_json(trades), json.loads(metrics)))
    return dict(out)


def save_candidates(store: Any, run_id: str, evaluations: list[Evaluation]) -> None:
    """Replace a run's candidates with these evaluations, in one transaction."""
    rows = []
    for seq, e in enumerate(evaluations):
        o = e.outcome
        rows.append([run_id, seq, o.name, o.kind, o.agent, json.dumps(o.params), o.series_id, o.series,
                     json.dumps(e.stats), _npy(np.asarray(o.index.as_unit("ns").asi8, dtype=np.int64)),
                     _npy(e.equity.to_numpy(dtype=np.float64)), _npy(e.mc), trades_to_json(o.trades)])
    with store.session() as con:
        con.execute("DELETE FROM test_candidates WHERE run_id = ?", [run_id])
        if rows:
            con.executemany("INSERT INTO test_candidates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def candidate_rows(store: Any, run_id: str) -> list[dict[str, Any]]:
    """A run's candidates as flat rows (name, kind, agent, params, series, statistics, verdict), in order."""
    with store.session() as con:
        found = con.execute("SELECT count(*) FROM runs WHERE id = ?", [run_id]).fetchall()[0][0]
        rows = con.execute("SELECT candidate, kind, agent, params, series, stats FROM test_candidates"
                           " WHERE run_id = ? ORDER BY seq", [run_id]).fetchall()
    if not found:
        raise UnknownRunError(f"no run with id {run_id!r} (see `kinetra runs list`)")
    return [flat_row(name, kind, agent, json.loads(params), series, json.loads(stats))
            for name, kind, agent, params, series, stats in rows]


def flat_row(name: str, kind: str, agent: str, params: dict[str, Any], series: str,
             stats: dict[str, Any]) -> dict[str, Any]:
    """One candidate's row: identity, Sharpe, return and profit factor with their intervals (one definition
    each, set by the Monte Carlo method: per bar, or per trade for the trade bootstrap), p, q, DSR, PBO, verdict."""
    m, iv = stats["metrics"], stats["intervals"]
    return {
        "candidate": name, "kind": kind, "agent": agent, "params": params, "series": series,
        "sharpe": iv["sharpe"][0], "sharpe_low": iv["sharpe"][1], "sharpe_high": iv["sharpe"][2],
        "total_return": iv["total_return"][0], "return_low": iv["total_return"][1],
        "return_high": iv["total_return"][2], "profit_factor": iv["profit_factor"][0],
        "pf_low": iv["profit_factor"][1], "pf_high": iv["profit_factor"][2], "max_drawdown": m.get("max_drawdown"),
        "trades": m.get("trades"), "win_rate": m.get("win_rate"), "p_value": stats["p_value"],
        "q_value": stats["q_value"], "dsr": stats["dsr"], "pbo": stats["pbo"], "verdict": stats["verdict"],
        "reasons": stats["reasons"], "choices": stats.get("choices", []), "mc_method": stats["mc_method"],
    }


def candidate_detail(store: Any, run_id: str, name: str) -> dict[str, Any]:
    """Everything about one candidate: its row, all metrics, equity (by time), trades and Monte Carlo draws."""
    with store.session() as con:
        rows = con.execute("SELECT candidate, kind, agent, params, series, stats, times, equity, mc, trades"
                           " FROM test_candidates WHERE run_id = ? AND candidate = ?", [run_id, name]).fetchall()
    if not rows:
        raise UnknownRunError(f"run {run_id!r} has no candidate {name!r}")
    cand, kind, agent, params, series, stats, times, equity, mc, trades = rows[0]
    stats = json.loads(stats)
    index = pd.DatetimeIndex(pd.to_datetime(_unnpy(times), utc=True), name="time")
    return {"row": flat_row(cand, kind, agent, json.loads(params), series, stats), "stats": stats,
            "equity": pd.Series(_unnpy(equity), index=index, name="equity"), "mc": _unnpy(mc),
            "trades": trades_from_json(trades)}


COMPARED = ("sharpe", "total_return", "profit_factor", "max_drawdown", "trades", "q_value", "dsr", "pbo")


def compare_runs(store: Any, run_a: str, run_b: str) -> list[dict[str, Any]]:
    """Candidates of two runs side by side, matched by name: each key figure in A and B, and verdicts.

    A candidate in only one run has None for the other; the order is A's, then B's newcomers.
    """
    a = {r["candidate"]: r for r in candidate_rows(store, run_a)}
    b = {r["candidate"]: r for r in candidate_rows(store, run_b)}
    out = []
    for name in [*a, *(n for n in b if n not in a)]:
        ra, rb = a.get(name), b.get(name)
        row: dict[str, Any] = {"candidate": name}
        for key in COMPARED:
            row[f"{key}_a"] = ra[key] if ra else None
            row[f"{key}_b"] = rb[key] if rb else None
        row["verdict_a"] = ra["verdict"] if ra else None
        row["verdict_b"] = rb["verdict"] if rb else None
        row["changed"] = row["verdict_a"] != row["verdict_b"]
        out.append(row)
    return out
