"""`kinetra jobs`: schedules, the daemon, running a job now, history, pause and resume."""

from __future__ import annotations

import typer

from commands.output import console, emit_json, err_console, table

app = typer.Typer(help="Scheduled jobs: list, history, run, pause, resume, enable, set, serve.", no_args_is_help=True)


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every job with its schedule, next run and last status, and whether the daemon is alive."""
    from kinetra.jobs.daemon import status
    from kinetra.jobs.scheduler import overview
    from kinetra.store import open_store

    store = open_store()
    jobs, daemon = overview(store), status(store)
    if as_json:
        emit_json({"daemon": daemon, "jobs": jobs})
        return
    rows = [(j["name"], j["kind"], j["schedule"], "yes" if j["enabled"] else "no", "paused" if j["paused"] else "",
             _short(j["next_run"]), j["last_status"] or "", j["last_error"] or j["last_summary"] or "") for j in jobs]
    table("Jobs", ["name", "kind", "schedule", "enabled", "", "next run (UTC)", "last", "detail"], rows)
    console.print(f"daemon: alive (pid {daemon['pid']})" if daemon["alive"] else
                  "daemon: not running (kinetra jobs serve --detach)")


@app.command("history")
def history(name: str | None = typer.Argument(None, help="Only this job."),
            limit: int = typer.Option(30, help="Newest N executions."),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Job executions, newest first: start, end, status, run id, summary, error."""
    from kinetra.jobs.launch import history as load
    from kinetra.store import open_store

    items = load(open_store(), name, limit)
    if as_json:
        emit_json(items)
        return
    rows = [(h["job"], h["attempt"], h["trigger"], h["status"], _short(h["started_at"]), _short(h["ended_at"]),
             h["run_id"] or "", h["error"] or h["summary"] or "") for h in items]
    table("Job history", ["job", "try", "trigger", "status", "started", "ended", "run", "detail"], rows)


@app.command("run")
def run(name: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Run a job now and wait for it (no daemon needed: fine for cron)."""
    from kinetra.jobs.launch import execute_job
    from kinetra.store import open_store

    on_run = None if as_json else (lambda run_id: err_console.print(f"{name}: run {run_id}", highlight=False))
    last = execute_job(open_store(), name, trigger="manual", on_run=on_run)
    if as_json:
        emit_json(last)
    else:
        console.print(f"{name}: {last['status']}" + (f", {last.get('summary')}" if last.get("summary") else ""))
    if last["status"] != "succeeded":
        if not as_json and last.get("error"):
            err_console.print(f"{name}: {last['error']}", markup=False, highlight=False)
        raise typer.Exit(1)


def _pause(name: str, paused: bool) -> None:
    from kinetra.jobs.scheduler import set_paused
    from kinetra.store import open_store

    set_paused(open_store(), name, paused)
    console.print(f"{name}: {'paused' if paused else 'resumed'}")


@app.command("pause")
def pause(name: str) -> None:
    """Pause a job (kept across daemon restarts)."""
    _pause(name, True)


@app.command("resume")
def resume(name: str) -> None:
    """Resume a paused job."""
    _pause(name, False)


@app.command("enable")
def enable(name: str) -> None:
    """Enable a job (written to $KINETRA_HOME/jobs.yaml)."""
    from kinetra.jobs.schedules import update_job

    update_job(name, enabled=True)
    console.print(f"{name}: enabled")


@app.command("disable")
def disable(name: str) -> None:
    """Disable a job."""
    from kinetra.jobs.schedules import update_job

    update_job(name, enabled=False)
    console.print(f"{name}: disabled")


@app.command("set")
def set_(name: str,
         cron: str | None = typer.Option(None, help="Crontab, e.g. '0 6 * * *'."),
         every: str | None = typer.Option(None, help="Interval, e.g. 30m, 6h, 1d."),
         timezone: str | None = typer.Option(None, help="IANA timezone of the schedule.")) -> None:
    """Change a job's schedule (validated; written to $KINETRA_HOME/jobs.yaml)."""
    from kinetra.errors import ConfigError
    from kinetra.jobs.schedules import update_job

    if (cron is None) == (every is None) and timezone is None:
        raise ConfigError("give --cron or --every (and optionally --timezone)")
    changes = {k: v for k, v in (("cron", cron), ("interval", every), ("timezone", timezone)) if v is not None}
    job = update_job(name, **changes)
    console.print(f"{name}: {job.human()}")


@app.command("serve")
def serve(detach: bool = typer.Option(False, "--detach", help="Start in the background and return.")) -> None:
    """Run the scheduler daemon (one per KINETRA_HOME); SIGTERM stops it cleanly."""
    from kinetra.jobs import daemon
    from kinetra.store import open_store

    store = open_store()
    if detach:
        console.print(f"jobs daemon pid {daemon.start_detached(store)}")
        return
    raise typer.Exit(daemon.serve(store))
