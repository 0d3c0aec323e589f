"""`kinetra test`: run test suites, read their verdicts, compare runs, resume an unfinished run."""

from __future__ import annotations

import csv
import sys
from typing import Any

import typer

from commands.launch import run_task
from commands.output import console, emit_json, table

app = typer.Typer(help="Test suites: run, results, compare, resume, suites.", no_args_is_help=True)

_COLUMNS = ("candidate", "sharpe", "sharpe_low", "sharpe_high", "total_return", "return_low", "return_high",
            "profit_factor", "pf_low", "pf_high", "max_drawdown", "trades", "win_rate", "p_value", "q_value", "dsr",
            "pbo", "verdict")


def _num(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value * 100:.1f}%" if pct else f"{value:.3g}"


@app.command("suites")
def suites(as_json: bool = typer.Option(False, "--json")) -> None:
    """The suites you can run: shipped presets and your own in $KINETRA_HOME/suites/."""
    from kinetra.research.suite import list_suites, load_suite

    found = []
    for name, path in list_suites().items():
        suite = load_suite(str(path))
        found.append({"name": name, "description": suite.description, "path": str(path),
                      "candidates": len(suite.candidates()), "scheme": suite.validation.scheme})
    if as_json:
        emit_json(found)
        return
    table("Suites", ["name", "configurations", "scheme", "what it tests"],
          [(s["name"], s["candidates"], s["scheme"], s["description"]) for s in found])


@app.command("run")
def run(suite: str = typer.Argument(..., help="A suite name (see `kinetra test suites`) or a path to a YAML file."),
        detach: bool = typer.Option(False, "--detach", help="Run in the background; print the run id at once."),
        workers: int | None = typer.Option(None, help="Worker processes (default: every core)."),
        as_json: bool = typer.Option(False, "--json")) -> None:
    """Run a test suite: every agent configuration on every selected series and fold, then verdicts."""
    from kinetra.research.suite import load_suite

    loaded = load_suite(suite)
    params: dict[str, Any] = {"suite": loaded.to_json()}
    if workers:
        params["workers"] = workers
    rec = run_task("test", params, detach, as_json, seed=loaded.seed)
    if rec is None:
        return
    if as_json:
        emit_json({"run_id": rec.id} | rec.result)
        return
    _print_results(rec.id)
    console.print(f"report: {rec.result['report']}")


def _print_results(run_id: str) -> None:
    from kinetra.research.results import candidate_rows

    rows = candidate_rows(_store(), run_id)
    edges = sum(r["verdict"] == "edge" for r in rows)
    table(f"Run {run_id}: {edges} of {len(rows)} candidates show an edge",
          ["candidate", "Sharpe [CI]", "return", "PF", "max DD", "trades", "p", "q", "DSR", "PBO", "verdict"],
          [(r["candidate"], f"{_num(r['sharpe'])} [{_num(r['sharpe_low'])}, {_num(r['sharpe_high'])}]",
            _num(r["total_return"], True), _num(r["profit_factor"]), _num(r["max_drawdown"], True), _num(r["trades"]),
            _num(r["p_value"]), _num(r["q_value"]), _num(r["dsr"]), _num(r["pbo"]),
            r["verdict"] + (f": {'; '.join(r['reasons'])}" if r["reasons"] else "")) for r in rows])


def _store() -> Any:
    from kinetra.store import open_store

    return open_store()


@app.command("results")
def results(run_id: str, as_json: bool = typer.Option(False, "--json"),
            as_csv: bool = typer.Option(False, "--csv", help="CSV on stdout, one row per candidate.")) -> None:
    """A test run's candidates: metrics with intervals, p, q, DSR, PBO and the verdict with its reasons."""
    from kinetra.errors import UsageError
    from kinetra.research.results import candidate_rows

    if as_json and as_csv:
        raise UsageError("give --json or --csv, not both")
    rows = candidate_rows(_store(), run_id)
    if as_json:
        emit_json(rows)
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([*_COLUMNS, "reasons"])
        for r in rows:
            writer.writerow([*("" if r[c] is None else r[c] for c in _COLUMNS), "; ".join(r["reasons"])])
    else:
        _print_results(run_id)


@app.command("compare")
def compare(run_a: str, run_b: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Two runs side by side, candidate by candidate: key figures in each and verdicts that changed."""
    from kinetra.research.results import compare_runs

    rows = compare_runs(_store(), run_a, run_b)
    if as_json:
        emit_json(rows)
        return
    table(f"{run_a} (A) vs {run_b} (B)", ["candidate", "Sharpe A", "Sharpe B", "return A", "return B", "q A", "q B",
                                         "verdict A", "verdict B"],
          [(r["candidate"], _num(r["sharpe_a"]), _num(r["sharpe_b"]), _num(r["total_return_a"], True),
            _num(r["total_return_b"], True), _num(r["q_value_a"]), _num(r["q_value_b"]), r["verdict_a"] or "-",
            (r["verdict_b"] or "-") + (" *" if r["changed"] else "")) for r in rows])
    console.print("* verdict changed")


@app.command("resume")
def resume(run_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Resume a cancelled or failed test run in the background: finished jobs are kept, the rest run."""
    from kinetra import runs

    rec = runs.resume(_store(), run_id)
    emit_json({"run_id": rec.id, "status": rec.status}) if as_json else console.print(
        f"{rec.id} resumed (follow it: kinetra runs tail {rec.id})")
