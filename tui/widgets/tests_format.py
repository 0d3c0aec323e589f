"""How test runs look: run rows, result rows with verdict colours, sorting, comparisons, one candidate in a line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from rich.text import Text
from textual.widgets import DataTable

from tui.widgets.jobs_format import clip
from tui.widgets.runs_format import age, duration, progress_text, status_text

TEST_RUN_COLUMNS = ("id", "suite", "status", "progress", "started", "took", "message")

RESULT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("candidate", "candidate", False), ("series", "series", False), ("Sharpe", "sharpe", True),
    ("return", "total_return", True), ("PF", "profit_factor", True), ("max DD", "max_drawdown", False),
    ("trades", "trades", True), ("q", "q_value", False), ("DSR", "dsr", True), ("PBO", "pbo", False),
    ("verdict", "verdict", False),
)
"""(header, row key, whether best-first means descending) per results column, in table order."""

COMPARE_COLUMNS = ("candidate", "Sharpe A", "Sharpe B", "return A", "return B", "q A", "q B", "verdict A",
                   "verdict B")
TRADE_COLUMNS = (("entry (UTC)", 16), ("exit (UTC)", 16), ("side", 5), ("lots", 6), ("entry", 10), ("exit", 10),
                 ("net", 10), ("exit by", 10))
"""(header, width) of the trade lists: fixed, so a long list is laid out at once."""
VERDICT_STYLE = {"edge": "bold green", "no edge": "dim red"}
CANDIDATE_WIDTH = 34


def suite_name(rec: Any) -> str:
    """The name of the suite a test run runs."""
    return str(rec.params.get("suite", {}).get("name", "?"))


def run_summary(rec: Any) -> str:
    """What a test run says in the list: its result when it succeeded, else its error or progress message."""
    if rec.status == "succeeded" and rec.result:
        edges = len(rec.result.get("edges", []))
        return f"{rec.result['candidates']} candidates, {edges} with an edge"
    return rec.error or rec.message or ""


def suite_run_cells(rec: Any, now: datetime) -> tuple[Any, ...]:
    """Cells of one test run in TEST_RUN_COLUMNS order."""
    return (rec.id, suite_name(rec), status_text(rec.status), progress_text(rec.progress),
            age(rec.started_at or rec.created_at, now), duration(rec.duration_s()), clip(run_summary(rec), 60))


def results_caption(rec: Any | None, rows: Sequence[dict[str, Any]], sort: tuple[int, bool]) -> str:
    """The line over the results table: whose results, how sorted, or why there are none yet."""
    if rec is None:
        return "Results: no test run selected"
    head = f"Run {rec.id} ({suite_name(rec)})"
    if rec.status == "succeeded":
        edges = sum(r["verdict"] == "edge" for r in rows)
        label, _, _ = RESULT_COLUMNS[sort[0]]
        return (f"{rec.id} ({suite_name(rec)}): {len(rows)} candidates, {edges} with an edge · by "
                f"{label} {'↓' if sort[1] else '↑'} (s, S) · Enter: evidence · b: backtest it")
    if rec.status == "cancelled":
        return f"{head} was cancelled ({rec.error or 'on request'}) · R resumes it, keeping finished jobs"
    if rec.status == "failed":
        return f"{head} failed: {clip(rec.error or 'see its detail (Enter)', 70)} · R retries, keeping finished jobs"
    return f"{head} is {rec.status}: {rec.message or 'starting'} · results appear when it finishes"


def missing(value: Any) -> bool:
    """Tell whether a statistic is absent (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def sort_rows(rows: Sequence[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Rows sorted by `key`; missing values go last whichever the direction; ties keep the run's order."""
    present = [r for r in rows if not missing(r[key])]
    return sorted(present, key=lambda r: r[key], reverse=descending) + [r for r in rows if missing(r[key])]


def num(value: Any, pct: bool = False) -> str:
    """A statistic in three significant digits (or a percentage with one decimal); `-` when missing."""
    if missing(value):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value * 100:.1f}%" if pct else f"{value:.3g}"


def verdict_text(verdict: str | None) -> Text:
    """The verdict coloured: edge green, no edge dim red."""
    return Text(verdict or "-", style=VERDICT_STYLE.get(verdict or "", "grey62"))


def config_name(candidate: str) -> str:
    """A candidate's configuration: its name without the `@ series` part."""
    return candidate.split(" @ ")[0]


def result_cells(row: dict[str, Any]) -> tuple[Any, ...]:
    """Cells of one candidate in RESULT_COLUMNS order."""
    return (clip(config_name(row["candidate"]), CANDIDATE_WIDTH), row["series"], num(row["sharpe"]),
            num(row["total_return"], True), num(row["profit_factor"]), num(row["max_drawdown"], True),
            num(row["trades"]), num(row["q_value"]), num(row["dsr"]), num(row["pbo"]), verdict_text(row["verdict"]))


def interval(value: Any, low: Any, high: Any, pct: bool = False) -> str:
    """`value [low, high]` for a statistic and its bootstrap interval."""
    return f"{num(value, pct)} [{num(low, pct)}, {num(high, pct)}]"


def candidate_line(row: dict[str, Any]) -> Text:
    """One candidate in full, three lines: name and verdict (with failed tests), metrics with intervals, tests."""
    out = Text.assemble((row["candidate"], "bold"), " · ", verdict_text(row["verdict"]))
    if row["reasons"]:
        out.append(f" (failed: {'; '.join(row['reasons'])})", style="red")
    out.append(f"\nSharpe {interval(row['sharpe'], row['sharpe_low'], row['sharpe_high'])} · return "
               f"{interval(row['total_return'], row['return_low'], row['return_high'], True)} · PF "
               f"{interval(row['profit_factor'], row['pf_low'], row['pf_high'])} · max DD "
               f"{num(row['max_drawdown'], True)}")
    out.append(f"\n{num(row['trades'])} trades, {num(row['win_rate'], True)} won · p {num(row['p_value'])} · q "
               f"{num(row['q_value'])} · DSR {num(row['dsr'])} · PBO {num(row['pbo'])}", style="grey62")
    return out


def compare_cells(row: dict[str, Any]) -> tuple[Any, ...]:
    """Cells of one compared candidate in COMPARE_COLUMNS order; a changed verdict is marked with *."""
    verdict_b = verdict_text(row["verdict_b"])
    if row["changed"]:
        verdict_b.append(" *", style="bold yellow")
    return (clip(row["candidate"], 44), num(row["sharpe_a"]), num(row["sharpe_b"]), num(row["total_return_a"], True),
            num(row["total_return_b"], True), num(row["q_value_a"]), num(row["q_value_b"]),
            verdict_text(row["verdict_a"]), verdict_b)


def add_trade_columns(table: DataTable) -> None:
    """Give a trade list its columns, at fixed widths."""
    for label, width in TRADE_COLUMNS:
        table.add_column(label, width=width)


def trade_cells(trade: dict[str, Any]) -> tuple[Any, ...]:
    """Cells of one closed trade in TRADE_COLUMNS order; the net coloured by its sign."""
    net = trade["net"]
    return (f"{trade['entry_time']:%Y-%m-%d %H:%M}", f"{trade['exit_time']:%Y-%m-%d %H:%M}",
            "long" if trade["side"] > 0 else "short", f"{trade['size']:.2f}", f"{trade['entry_price']:g}",
            f"{trade['exit_price']:g}", Text(f"{net:,.2f}", style="green" if net > 0 else "red"),
            str(trade["exit_reason"]))


def params_text(params: dict[str, Any]) -> str:
    """Agent params as the form shows them: `fast=10, slow=60`."""
    return ", ".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in params.items())


def parse_params(text: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """Read `k=v, k=v` typed in a form, each value as its default's type; ValueError says what is wrong."""
    out: dict[str, Any] = {}
    for part in text.replace(",", " ").split():
        key, sep, raw = part.partition("=")
        if not sep or not key:
            raise ValueError(f"params: {part!r} is not name=value (e.g. fast=10)")
        if key not in defaults:
            raise ValueError(f"params: no parameter {key!r} (has: {', '.join(defaults) or 'none'})")
        out[key] = _typed(key, raw, defaults[key])
    return out


def _typed(key: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() not in ("true", "false"):
            raise ValueError(f"params: {key} is true or false, not {raw!r}")
        return raw.lower() == "true"
    try:
        return int(raw) if isinstance(default, int) else float(raw)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ValueError(f"params: {key} must be {kind}, not {raw!r}") from None


BACKTEST_METRICS: tuple[tuple[str, str, str], ...] = (
    ("total return", "total_return", "pct"), ("CAGR", "cagr", "pct"), ("Sharpe", "sharpe", ""),
    ("Sortino", "sortino", ""), ("Calmar", "calmar", ""), ("max drawdown", "max_drawdown", "pct"),
    ("max DD days", "max_drawdown_days", ""), ("trades", "trades", ""), ("trades/day", "trades_per_day", ""),
    ("win rate", "win_rate", "pct"), ("profit factor", "profit_factor", ""), ("expectancy", "expectancy", "money"),
    ("exposure", "exposure", "pct"), ("cost share", "cost_share", "pct"), ("final equity", "final_equity", "money"),
)
"""(label, metric key, unit) of the metrics a quick backtest shows, in order."""


def metric_rows(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of a backtest's key metrics, money with two decimals and shares as percentages."""
    out = []
    for label, key, unit in BACKTEST_METRICS:
        value = metrics.get(key)
        text = f"{value:,.2f}" if unit == "money" and not missing(value) else num(value, unit == "pct")
        out.append((label, text))
    return out


def mc_chart(stats: dict[str, Any], draws: np.ndarray) -> tuple[np.ndarray, float | None, str]:
    """The Monte Carlo histogram's values, the candidate's own value on the same scale, and its title.

    Returns are shown in percent like everywhere else; the random-entry null draws Sharpe ratios.
    """
    method = str(stats.get("mc_method", "")).replace("_", " ")
    observed = stats.get("mc_observed")
    if stats.get("mc_statistic") == "null_sharpe":
        return draws, observed, f"Monte Carlo null Sharpe: {len(draws):,} {method} draws"
    scaled = None if observed is None else observed * 100
    return draws * 100, scaled, f"Monte Carlo return %: {len(draws):,} {method} draws"


def run_label(rec: Any, now: datetime) -> str:
    """A run named for a person: `id (suite, started 2h ago, 6 candidates)`."""
    parts = [suite_name(rec), f"started {age(rec.started_at or rec.created_at, now)}"]
    if rec.result:
        parts.append(f"{rec.result['candidates']} candidates")
    return f"{rec.id} ({', '.join(parts)})"
