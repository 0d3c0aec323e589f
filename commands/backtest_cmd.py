"""`kinetra backtest`: backtest positions on a stored series with MT5 costs and print metrics and trades."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from commands.data_cmd import _when
from commands.output import console, emit_json, table

LAST_TRADES = 10
_PERCENT = {"total_return", "cagr", "max_drawdown", "win_rate", "exposure", "mfe_captured", "cost_share"}
_MONEY = {"final_equity", "expectancy"}


def load_bars_for(symbol: str, timeframe: str, broker: str | None, start: str | None, end: str | None) -> tuple[Any, Any, Any]:
    """Return (series info, bars, spec) of SYMBOL TF from the store, the input of every backtest command."""
    from kinetra.backtest.signals import load_series
    from kinetra.store import open_store

    return load_series(open_store(), symbol, timeframe, broker, _when(start), _when(end))


def _fmt(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if key in _PERCENT:
        return f"{value * 100:,.2f} %"
    if key in _MONEY:
        return f"{value:,.2f}"
    return f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"


def _spec_line(spec: Any) -> str:
    """Where the symbol spec's values come from: `user > broker > shipped`, naming the fields each set."""
    by = {layer: sorted(k for k, v in spec.origin.items() if v == layer) for layer in ("user", "broker")}
    detail = "; ".join(f"{layer}: {', '.join(keys)}" for layer, keys in by.items() if keys)
    return f"symbol spec: {spec.layers}" + (f" ({detail})" if detail else "")


def _report(result: Any, spec: Any, as_json: bool, title: str) -> None:
    """Print a backtest result: JSON (metrics, trades, the symbol spec used) or tables for people."""
    if as_json:
        emit_json(result.to_json() | {"spec": spec.model_dump() | {"layers": spec.layers}})
        return
    console.print(_spec_line(spec), markup=False, highlight=False)
    data = result.to_json(last_trades=LAST_TRADES)
    table(title, ["metric", "value"], [(k.replace("_", " "), _fmt(k, v)) for k, v in data["metrics"].items()])
    rows = [(t["entry_time"][:16].replace("T", " "), t["exit_time"][:16].replace("T", " "),
             "long" if t["side"] > 0 else "short", f"{t['size']:.2f}", f"{t['entry_price']:g}", f"{t['exit_price']:g}",
             f"{t['net']:,.2f}", t["exit_reason"]) for t in data["trades"]]
    if rows:
        table(f"Last {len(rows)} of {data['trade_count']:,} trades",
              ["entry (UTC)", "exit (UTC)", "side", "lots", "entry", "exit", "net", "exit by"], rows)
    else:
        console.print("no trades")


def _params(pairs: list[str]) -> dict[str, Any]:
    """Agent params from K=V pairs; values read as TOML scalars (10, 0.5, true), else as text."""
    import tomllib

    from kinetra.errors import AgentParamError

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise AgentParamError(f"--param {pair!r}: use KEY=VALUE, e.g. --param fast=10")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw.strip()
    return out


def backtest(
    target: str = typer.Argument(..., help="An agent (see `kinetra agents list`), or `signals` for your own CSV."),
    symbol: str = typer.Argument(..., help="Symbol of a stored series."),
    timeframe: str = typer.Argument(..., help="Timeframe of the series (M1..MN1)."),
    param: list[str] = typer.Option([], "--param", "-p", help="Agent parameter KEY=VALUE (repeatable)."),
    signals_file: Path | None = typer.Option(None, "--signals", help="With `signals`: CSV of time (UTC), position."),
    start: str | None = typer.Option(None, help="First bar time (UTC), YYYY-MM-DD[THH:MM]."),
    end: str | None = typer.Option(None, help="Last bar time (UTC)."),
    no_costs: bool = typer.Option(False, "--no-costs", help="Ignore spread, commission, swap and slippage."),
    fill: str = typer.Option("next_open", help="next_open (fill at the next bar's open) or close (this bar's close)."),
    broker: str | None = typer.Option(None, help="Broker, when the symbol is held from several."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Backtest an agent, or your own signals, on a stored series with MT5 costs; print metrics and trades."""
    from kinetra.backtest import run
    from kinetra.errors import UsageError

    if target == "signals":
        from kinetra.backtest.signals import align_signals, read_signals

        if signals_file is None:
            raise UsageError("`kinetra backtest signals` needs --signals FILE.csv (columns: time, position)")
        positions = read_signals(signals_file)
        info, bars, spec = load_bars_for(symbol, timeframe, broker, start, end)
        positions = align_signals(positions, bars.index)
        title = f"{info.symbol} {info.timeframe} ({info.broker}): signals from {signals_file.name}"
        result = run(bars, positions, spec=spec, costs=not no_costs, fill=fill)
    else:
        from kinetra.backtest.agent_backtest import backtest_agent
        from kinetra.backtest.signals import series_spec
        from kinetra.store import open_store

        store = open_store()
        info, params, result = backtest_agent(store, target, _params(param), symbol, timeframe, broker,
                                              _when(start), _when(end), costs=not no_costs, fill=fill)
        spec = series_spec(store, info)
        args = ", ".join(f"{k}={v}" for k, v in params.items())
        title = f"{info.symbol} {info.timeframe} ({info.broker}): {target}({args})"
    _report(result, spec, as_json, title)
