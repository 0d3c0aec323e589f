"""`kinetra data download|fill|symbols`: fetch what the store lacks, fill gaps, list a source's symbols."""

from __future__ import annotations

from typing import Any

import typer

from commands.launch import run_task
from commands.output import console, emit_json, err_console, table


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def _print_download(result: dict[str, Any]) -> None:
    rows = [(s["symbol"], s["timeframe"], s["status"], f"{s['added']:,}", s["pages"], s["retries"],
             _short(s["first"]), _short(s["last"]), s["error"] or "") for s in result["series"]]
    t = result["totals"]
    table(f"Download from {result['source']} ({result['broker']}): {t['added']:,} new bars, {t['pages']} pages, "
          f"{t['retries']} retries, {t['seconds']:.1f} s",
          ["symbol", "tf", "status", "added", "pages", "retries", "first (UTC)", "last (UTC)", "error"], rows)
    offset = next((s["server_offset_s"] for s in result["series"] if s["server_offset_s"] is not None), None)
    if offset is not None:
        console.print(f"broker server time: UTC{offset / 3600:+g} (learned from brokerTime)")
    if result.get("specs"):
        console.print(f"broker symbol specifications stored: {', '.join(result['specs'])}", markup=False)
    for warning in result.get("warnings", []):
        err_console.print(f"warning: {warning}", markup=False, highlight=False)


def download(
    symbols: list[str] = typer.Argument(None, help="Symbols, as the broker names them (e.g. EURUSD XAUUSD+)."),
    timeframe: list[str] = typer.Option([], "--timeframe", "-t", help="Timeframe (M1..MN1); repeatable."),
    since: str | None = typer.Option(None, help="Oldest bar wanted (UTC), YYYY-MM-DD."),
    source: str = typer.Option("metaapi", help="metaapi or synthetic."),
    broker: str | None = typer.Option(None, help="Broker from config (its MetaAPI account id)."),
    plan: bool = typer.Option(False, "--plan", help="Download the universe listed in [universe] of the config."),
    deploy: bool = typer.Option(False, "--deploy", help="Deploy an undeployed MetaAPI account and wait for it."),
    detach: bool = typer.Option(False, "--detach", help="Run in the background; print the run id."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Download bars the store lacks (newer ones, and history back to --since); resumable, idempotent."""
    from kinetra.config import load_settings
    from kinetra.data.download import DownloadRequest, parse_since, plan_request, resolve_broker
    from kinetra.errors import UsageError

    settings = load_settings()
    if plan:
        request = plan_request(settings)
        request.deploy = deploy
    else:
        if not symbols or not timeframe or not since:
            raise UsageError("name SYMBOL..., --timeframe and --since (or use --plan for the configured universe)")
        request = DownloadRequest(symbols=list(symbols), timeframes=list(timeframe), since=parse_since(since),
                                  source=source, broker=broker, deploy=deploy)
    resolve_broker(request, settings)  # a bad broker is one line now, not in the worker
    rec = run_task("download", request.to_params(), detach, as_json)
    if rec is None:
        return
    result = rec.result
    if as_json:
        emit_json({"run_id": rec.id, "status": rec.status} | result)
    else:
        _print_download(result)
    failed = [s for s in result["series"] if s["status"] == "failed"]
    for s in failed:
        err_console.print(f"{s['symbol']} {s['timeframe']}: {s['error']}", markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


def fill(
    symbol: str | None = typer.Argument(None, help="Only this symbol."),
    timeframe: str | None = typer.Argument(None, help="Only this timeframe."),
    detach: bool = typer.Option(False, "--detach", help="Run in the background; print the run id."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Ask each series' own source for exactly the gaps health reports; confirm the ones it lacks."""
    rec = run_task("fill", {"symbol": symbol, "timeframe": timeframe}, detach, as_json)
    if rec is None:
        return
    result = rec.result
    if as_json:
        emit_json({"run_id": rec.id} | result)
        return
    rows = [(g["symbol"], g["timeframe"], _short(g["start"]), _short(g["end"]), g["missing_bars"], g["filled_bars"],
             "confirmed by source" if g["confirmed_by_source"] else "filled") for g in result["gaps"]]
    t = result["totals"]
    table(f"Gap fill: {t['gaps']} gaps, {t['filled_bars']:,} bars filled, {t['confirmed']} confirmed by source",
          ["symbol", "tf", "start", "end", "missing", "filled", "outcome"], rows)
    for f in result["failed"]:
        err_console.print(f"{f['symbol']} {f['timeframe']}: {f['error']}", markup=False, highlight=False)


def symbols(
    source: str = typer.Option("metaapi", help="metaapi, synthetic, or mt5_csv (with --path)."),
    broker: str | None = typer.Option(None, help="Broker from config."),
    path: list[str] = typer.Option([], help="Export files or folders, for mt5_csv."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the symbols a source offers (for MetaAPI, those of the broker's account)."""
    import asyncio

    from kinetra.config import load_settings
    from kinetra.data.sources import open_source

    async def listing() -> list[str] | None:
        src = open_source(source, load_settings(), broker, paths=path)
        try:
            return await src.symbols()
        finally:
            await src.close()

    found = asyncio.run(listing())
    if as_json:
        emit_json({"source": source, "symbols": found})
    elif found is None:
        console.print(f"{source} cannot list its symbols; name them yourself")
    else:
        console.print("\n".join(found))


def register(app: typer.Typer) -> None:
    """Add the download commands to `kinetra data`."""
    app.command("download")(download)
    app.command("fill")(fill)
    app.command("symbols")(symbols)


def backup(dest: str | None = typer.Argument(None, help="Folder (default $KINETRA_HOME/backups/kinetra-TIME)."),
           keep: int | None = typer.Option(None, help="Keep only the newest N backups in the default folder."),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Write a consistent snapshot of the store: every table as Parquet plus a checksummed manifest."""
    rec = run_task("backup", {"dest": dest, "keep": keep}, False, as_json)
    emit_json(rec.result) if as_json else console.print(
        f"backup: {rec.result['path']} ({rec.result['tables']} tables, {rec.result['rows']:,} rows)")


def restore(src: str = typer.Argument(..., help="A backup folder."),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Replace the store's contents with a backup, after verifying it (a damaged one changes nothing)."""
    from kinetra.store import open_store
    from kinetra.store.backup import restore as do_restore

    result = do_restore(open_store(), src)
    emit_json(result) if as_json else console.print(f"restored {result['rows']:,} rows from {result['path']}")


def register_backup(app: typer.Typer) -> None:
    """Add backup and restore to `kinetra data`."""
    app.command("backup")(backup)
    app.command("restore")(restore)
