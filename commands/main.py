"""`kinetra`: the command line. Sub-apps per area; heavy core modules import lazily."""

from __future__ import annotations

import gc
import sys

import typer

from commands import agents_cmd, backtest_cmd, config_cmd, data_cmd, jobs_cmd, runs_cmd, test_cmd
from commands.launch import run_task
from commands.output import console, emit_json, err_console

app = typer.Typer(
    name="kinetra", help="Kinetra: MT5 research-to-live workbench (CLI). The TUI is `kinetra-tui`.",
    no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
)
app.add_typer(config_cmd.app, name="config")
app.add_typer(data_cmd.app, name="data")
app.add_typer(runs_cmd.app, name="runs")
app.add_typer(jobs_cmd.app, name="jobs")
app.add_typer(agents_cmd.app, name="agents")
app.add_typer(test_cmd.app, name="test")
app.command("backtest")(backtest_cmd.backtest)


@app.command("demo")
def demo(seed: int = typer.Option(7, help="Seed of the synthetic dataset."),
         if_empty: bool = typer.Option(False, "--if-empty", help="Only seed when the store holds no series."),
         as_json: bool = typer.Option(False, "--json")) -> None:
    """Seed the realistic synthetic demo dataset (deterministic by seed; marked as demo)."""
    from kinetra.data.demo import store_is_empty
    from kinetra.store import open_store

    if if_empty and not store_is_empty(open_store()):
        emit_json({"seeded": False}) if as_json else None
        return
    rec = run_task("demo", {"seed": seed}, False, as_json, seed=seed)
    totals = rec.result["totals"]
    if as_json:
        emit_json({"seeded": True, "run_id": rec.id} | totals)
    else:
        console.print(f"demo data (seed {seed}): {len(rec.result['series'])} series, {totals['added']:,} bars added")


def cli(argv: list[str]) -> int:
    """Run the CLI on `argv`; expected errors become one line on stderr and an exit code."""
    from kinetra.errors import KinetraError

    try:
        app(args=argv, prog_name="kinetra")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KinetraError as err:
        sys.stderr.write(f"error: {err}\n")
        code = err.exit_code
        del err
        gc.collect()  # free the traceback's frames (and their DuckDB handles) before shutdown
        return code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(cli(sys.argv[1:]))


if __name__ == "__main__":
    run()
