"""`kinetra agents`: the agents that turn bars and features into target positions."""

from __future__ import annotations

import typer

from commands.output import console, emit_json, table

app = typer.Typer(help="Agents: list them with their parameters.", no_args_is_help=True)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every agent with its description and parameters (defaults)."""
    from kinetra.agents import list_agents

    agents = list_agents()
    if as_json:
        emit_json([a.to_json() for a in agents])
        return
    rows = [(a.name, ", ".join(f"{k}={v}" for k, v in a.params.items()), a.description) for a in agents]
    table("Agents", ["name", "params (defaults)", "what it does"], rows)
    console.print("run one: kinetra backtest NAME SYMBOL TF [--param KEY=VALUE ...]")
