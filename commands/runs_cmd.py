"""`kinetra runs`: list, inspect, follow and cancel background runs."""

from __future__ import annotations

import time

import typer

from commands.output import console, emit_json, err_console, table

app = typer.Typer(help="Background runs: list, show, tail, cancel.", no_args_is_help=True)


def _pct(progress: float) -> str:
    return f"{progress * 100:.0f}%"


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json"), limit: int = typer.Option(30, help="Newest N runs."),
          kind: list[str] = typer.Option([], help="Only runs of this kind (repeatable).")) -> None:
    """List runs, newest first."""
    from kinetra import runs
    from kinetra.store import open_store

    recs = runs.list_runs(open_store(), limit=limit, kinds=tuple(kind))
    if as_json:
        emit_json([r.to_json() for r in recs])
        return
    rows = [(r.id, r.kind, r.status, _pct(r.progress), r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
             r.duration_s(), r.error or r.message) for r in recs]
    table("Runs", ["id", "kind", "status", "progress", "created (UTC)", "seconds", "message"], rows)


@app.command("show")
def show(run_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one run: params, status, progress, result or error, events."""
    from kinetra import runs
    from kinetra.store import open_store

    store = open_store()
    rec = runs.get(store, run_id)
    data = rec.to_json() | {"events": runs.events(store, run_id)}
    data.pop("config_snapshot")
    if as_json:
        emit_json(data)
        return
    console.print_json(data=data)


@app.command("tail")
def tail(run_id: str, poll: float = typer.Option(0.5, help="Seconds between polls."),
         as_json: bool = typer.Option(False, "--json", help="One JSON object per line: events and progress.")) -> None:
    """Follow a run's progress and events until it ends; exit non-zero unless it succeeded."""
    import json

    from kinetra import runs
    from kinetra.store import open_store

    store = open_store()
    seen, last = 0, None
    while True:
        rec = runs.get(store, run_id)
        for ev in runs.events(store, run_id, seen):
            seen = ev["seq"]
            print(json.dumps({"event": ev}), flush=True) if as_json else console.print(
                f"{ev['at']} {ev['level']}: {ev['message']}")
        state = (rec.status, round(rec.progress, 3), rec.message)
        if state != last:
            last = state
            print(json.dumps({"status": rec.status, "progress": rec.progress, "message": rec.message}), flush=True) \
                if as_json else console.print(f"{rec.status} {_pct(rec.progress)} {rec.message or ''}".rstrip())
        if rec.status in runs.FINISHED:
            if rec.error:
                err_console.print(f"error: {rec.error}")
            raise typer.Exit(0 if rec.status == "succeeded" else 1)
        time.sleep(poll)


@app.command("cancel")
def cancel(run_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Ask a run to stop (flag + SIGTERM); it ends `cancelled`."""
    from kinetra import runs
    from kinetra.store import open_store

    rec = runs.cancel(open_store(), run_id)
    if as_json:
        emit_json({"id": rec.id, "status": rec.status, "cancel_requested": rec.cancel_requested})
        return
    console.print(f"{rec.id}: {'already ' + rec.status if rec.status in runs.FINISHED else 'cancel requested'}")
