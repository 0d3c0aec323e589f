"""`kinetra config`: show and set settings."""

from __future__ import annotations

import typer

from commands.output import console, emit_json

app = typer.Typer(help="Show and change settings.", no_args_is_help=True)


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the effective settings, version and git revision."""
    from kinetra.config import snapshot, user_config_path
    from kinetra.paths import kinetra_home

    data = snapshot() | {"home": str(kinetra_home()), "user_config": str(user_config_path())}
    if as_json:
        emit_json(data)
        return
    console.print_json(data=data)


@app.command("set")
def set_(key: str = typer.Argument(..., help="Dotted key, e.g. profile or brokers.icm.timezone"),
         value: str = typer.Argument(..., help="New value (TOML literal or plain text)")) -> None:
    """Set KEY to VALUE in $KINETRA_HOME/kinetra.toml after validating it."""
    from kinetra.config import set_value, user_config_path

    set_value(key, value)
    console.print(f"{key} = {value}  ({user_config_path()})")
