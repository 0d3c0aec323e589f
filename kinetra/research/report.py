"""A test run's report: Markdown with the verdict table and PNG charts, written next to the run's log.

Charts (matplotlib, Agg backend: no display needed) are drawn for the candidates a reader looks
at first: every "edge", then the best Sharpe ratios, up to CHARTED candidates.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kinetra.paths import runs_dir
from kinetra.research import results
from kinetra.runs import records

CHARTED = 4
POINTS = 1500
"""Equity curves are drawn from at most this many points (evenly spaced bars): a chart is ~900 px wide."""


def report_dir(store: Any, run_id: str) -> Path:
    """The folder of a run's report: `$KINETRA_HOME/runs/RUN_ID/`."""
    folder = runs_dir(store.path.parent) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if pct else f"{value:.3g}"


def _ci(low: Any, high: Any, pct: bool = False) -> str:
    return f"[{_fmt(low, pct)}, {_fmt(high, pct)}]"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:80]


def drawdown(equity: pd.Series) -> pd.Series:
    """Drawdown from the running peak, as a fraction (0 at a new high)."""
    peak = equity.cummax()
    return equity / peak - 1.0


def _equity_chart(detail: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    equity = detail["equity"]
    if len(equity) > POINTS:
        equity = equity.iloc[np.unique(np.linspace(0, len(equity) - 1, POINTS).astype(np.int64))]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.plot(equity.index, equity.to_numpy(), color="#1f77b4", linewidth=1)
    top.set_ylabel("equity")
    top.set_title(detail["row"]["candidate"], fontsize=9)
    dd = drawdown(equity)
    bottom.plot(dd.index, dd.to_numpy() * 100, color="#d62728", linewidth=1)
    bottom.set_ylabel("drawdown %")
    fig.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.12, hspace=0.08)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _mc_chart(detail: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draws = detail["mc"][np.isfinite(detail["mc"])]
    stats = detail["stats"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(draws, bins=40, color="#7f7f7f")
    if stats.get("mc_observed") is not None:
        ax.axvline(stats["mc_observed"], color="#d62728", linewidth=2, label="this candidate")
        ax.legend(fontsize=8)
    label = {"null_sharpe": "Sharpe of random entries (same trades)"}.get(stats["mc_statistic"], "total return")
    ax.set_xlabel(f"{label}, {stats['mc_method'].replace('_', ' ')}, {len(draws)} draws")
    ax.set_title(detail["row"]["candidate"], fontsize=9)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.17)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def charted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The candidates worth a chart: edges first, then by Sharpe ratio, at most CHARTED."""
    return sorted(rows, key=lambda r: (r["verdict"] != "edge", -(r["sharpe"] if r["sharpe"] is not None else -1e9)))[:CHARTED]


def write_report(store: Any, run_id: str) -> Path:
    """Write `report.md` and its PNG charts for a run's stored candidates; return the Markdown's path."""
    rec = records.get(store, run_id)
    rows = results.candidate_rows(store, run_id)
    suite = rec.params.get("suite", {})
    folder = report_dir(store, run_id)
    edges = [r for r in rows if r["verdict"] == "edge"]
    lines = [
        f"# Test run {run_id}: suite `{suite.get('name', '?')}`", "",
        f"- started {rec.started_at or rec.created_at:%Y-%m-%d %H:%M} UTC; git {rec.git_revision or 'unknown'};"
        f" seed {suite.get('seed', rec.seed)}; data fingerprint {rec.data_fingerprint or '-'}",
        f"- validation: {_scheme(suite.get('validation', {}))}; Monte Carlo: {suite.get('monte_carlo', {}).get('count')}"
        f" draws, {suite.get('monte_carlo', {}).get('method', '').replace('_', ' ')}",
        f"- verdict \"edge\" needs q <= {suite.get('alpha')} ({suite.get('correction')} over {len(rows)} candidates),"
        f" DSR >= {suite.get('dsr_min')} and PBO <= {suite.get('pbo_max')}; costs {'on' if suite.get('costs') else 'off'}",
        "", f"**{len(edges)} of {len(rows)} candidates show an edge.**", "",
        "| candidate | Sharpe [CI] | return [CI] | PF [CI] | max DD | trades | p | q | DSR | PBO | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        why = f" ({'; '.join(r['reasons'])})" if r["reasons"] else ""
        lines.append(
            f"| {r['candidate']} | {_fmt(r['sharpe'])} {_ci(r['sharpe_low'], r['sharpe_high'])} |"
            f" {_fmt(r['total_return'], True)} {_ci(r['return_low'], r['return_high'], True)} |"
            f" {_fmt(r['profit_factor'])} {_ci(r['pf_low'], r['pf_high'])} | {_fmt(r['max_drawdown'], True)} |"
            f" {r['trades']} | {_fmt(r['p_value'])} | {_fmt(r['q_value'])} | {_fmt(r['dsr'])} | {_fmt(r['pbo'])} |"
            f" {r['verdict']}{why} |")
    lines += ["", "## Charts", ""]
    for r in charted(rows):
        detail = results.candidate_detail(store, run_id, r["candidate"])
        slug = _slug(r["candidate"])
        _equity_chart(detail, folder / f"{slug}-equity.png")
        _mc_chart(detail, folder / f"{slug}-mc.png")
        lines += [f"### {r['candidate']}", "", f"![equity and drawdown]({slug}-equity.png)", "",
                  f"![Monte Carlo]({slug}-mc.png)", ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scheme(v: dict[str, Any]) -> str:
    if v.get("scheme") == "cpcv":
        return f"CPCV, {v.get('groups')} groups, {v.get('test_groups')} tested, embargo {v.get('embargo')}"
    windows = f"train {v['train']}, test {v['test']}" if v.get("train") else f"{v.get('folds')} equal folds"
    return f"walk-forward ({v.get('mode')}), {windows}"
