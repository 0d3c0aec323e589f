"""`kinetra data`: import MT5 exports, list series, read bars."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from commands.launch import run_task
from commands.output import console, emit_json, err_console, table

app = typer.Typer(help="Market data: import, download, fill, list, bars, health.", no_args_is_help=True)


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def _print_import(result: dict[str, Any]) -> None:
    rows = [(s["symbol"], s["timeframe"], s["broker"], s["asset_class"], f"{s['added']:,}", f"{s['present']:,}",
             f"{s['revised']:,}", f"{s['rejected']:,}", _short(s["first"]), _short(s["last"])) for s in result["series"]]
    table("Import", ["symbol", "tf", "broker", "class", "added", "present", "revised", "rejected", "first", "last"], rows)
    for s in result["series"]:
        for rej in s["rejected_rows"]:
            err_console.print(f"{Path(s['origin']).name}:{rej['line']}: rejected, {rej['reason']}")


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(..., help="MT5 CSV files or folders (walked recursively)."),
    symbol: str | None = typer.Option(None, help="Symbol, when the file name doesn't say."),
    timeframe: str | None = typer.Option(None, help="Timeframe (M1..MN1), when the file name doesn't say."),
    broker: str | None = typer.Option(None, help="Broker from config (its server timezone is converted to UTC)."),
    force: bool = typer.Option(False, "--force", help="Import even if bar spacing disagrees with the timeframe."),
    detach: bool = typer.Option(False, "--detach", help="Run in the background; print the run id."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import MetaTrader 5 CSV exports: idempotent, all-or-nothing, never overwriting stored bars."""
    from kinetra.data.ingest import collect_files

    collect_files(paths)
    params = {"paths": [str(p.resolve()) for p in paths], "symbol": symbol, "timeframe": timeframe,
              "broker": broker, "force": force}
    rec = run_task("import", params, detach, as_json)
    if rec is None:
        return
    if as_json:
        emit_json({"run_id": rec.id, "status": rec.status} | rec.result)
    else:
        _print_import(rec.result)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List every stored series: broker, symbol, timeframe, class, source, bars, first, last."""
    from kinetra.data.inventory import list_series
    from kinetra.store import open_store

    series = list_series(open_store())
    if as_json:
        emit_json([s.to_json() for s in series])
        return
    rows = [(s.broker, s.symbol, s.timeframe, s.asset_class, s.source + (" (demo)" if s.is_demo else ""),
             f"{s.bars:,}", _short(s.first and s.first.isoformat()), _short(s.last and s.last.isoformat()))
            for s in series]
    table(f"{len(series)} series", ["broker", "symbol", "tf", "class", "source", "bars", "first (UTC)", "last (UTC)"], rows)


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    from kinetra.errors import KinetraError

    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise KinetraError(f"invalid date {value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None


@app.command("bars")
def bars(
    symbol: str, timeframe: str,
    start: str | None = typer.Option(None, help="First bar time (UTC), YYYY-MM-DD[THH:MM]."),
    end: str | None = typer.Option(None, help="Last bar time (UTC)."),
    broker: str | None = typer.Option(None, help="Broker, when the symbol is held from several."),
    limit: int | None = typer.Option(None, help="At most N bars (the latest N with --tail)."),
    tail: bool = typer.Option(False, "--tail", help="With --limit, take the latest bars."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON records."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV."),
) -> None:
    """Print the bars of one series (UTC times)."""
    import sys

    from kinetra.data.inventory import find_series, load_bars
    from kinetra.store import open_store

    store = open_store()
    info = find_series(store, symbol, timeframe, broker)
    frame = load_bars(store, info.id, _when(start), _when(end), limit=limit, latest=tail)
    frame.index = frame.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    if as_csv:
        frame.to_csv(sys.stdout, lineterminator="\n")
    elif as_json:
        emit_json(frame.reset_index().to_dict(orient="records"))
    else:
        rows = [(t, *r) for t, r in zip(frame.index, frame.itertuples(index=False), strict=True)]
        table(f"{info.symbol} {info.timeframe} ({info.broker}): {len(frame):,} bars",
              ["time", "open", "high", "low", "close", "tick_vol", "vol", "spread"], rows)


@app.command("health")
def health(
    symbol: str | None = typer.Argument(None, help="Only this symbol."),
    timeframe: str | None = typer.Argument(None, help="Only this timeframe."),
    fail_under: float | None = typer.Option(None, "--fail-under", help="Exit 1 when any series scores below."),
    as_json: bool = typer.Option(False, "--json", help="Print the reports as JSON."),
) -> None:
    """Scan data health: gaps against each market's learned calendar, holidays, bar checks, score."""
    from kinetra.data.health.scan import load_scan
    from kinetra.store import open_store

    rec = run_task("health", {"symbol": symbol, "timeframe": timeframe}, False, as_json)
    reports = load_scan(open_store(), rec.result["scan_id"]) if rec.result["scan_id"] else []
    if as_json:
        emit_json(reports)
    else:
        _print_health(reports)
    low = [r for r in reports if fail_under is not None and r["score"] < fail_under]
    if low:
        worst = ", ".join(f"{r['symbol']} {r['timeframe']} {r['score']:g}" for r in low[:5])
        err_console.print(f"{len(low)} series score below {fail_under:g}: {worst}", markup=False, highlight=False)
        raise typer.Exit(1)


def _print_health(reports: list[dict[str, Any]]) -> None:
    rows = []
    for r in reports:
        fresh = r["freshness"]
        kinds: dict[str, int] = {}
        for issue in r["issues"]:
            kinds[issue["kind"]] = kinds.get(issue["kind"], 0) + 1
        rows.append((r["symbol"], r["timeframe"], r["broker"], f"{r['score']:.1f}",
                     f"{len(r['gaps'])} ({sum(g['missing_bars'] for g in r['gaps']):,} bars)", str(len(r["holidays"])),
                     ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "-",
                     _short(fresh["last_bar"]) + (" STALE" if fresh["stale"] else "")))
    table("Data health (worst first)", ["symbol", "tf", "broker", "score", "gaps", "holidays", "issues", "last bar"], rows)


from commands import download_cmd  # noqa: E402 - registers onto `app`, defined above

download_cmd.register(app)
download_cmd.register_backup(app)
