"""`kinetra backtest signals` as a user runs it: JSON, tables, one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinetra.backtest import run, spec_for
from kinetra.data.ingest import import_files
from kinetra.store import Store
from tests.support.cli import kinetra, kinetra_json
from tests.support.mt5 import make_bars, write_mt5


@pytest.fixture
def series(tmp_path: Path, store: Store) -> pd.DataFrame:
    """Import 200 H1 EURUSD bars (in-process, to save a subprocess) and return them as the engine sees them."""
    raw = make_bars(200, start="2024-01-02 00:00")
    import_files([write_mt5(tmp_path / "EURUSD_H1.csv", raw)], store)
    bars = raw.set_index(pd.DatetimeIndex(raw["time"], tz="UTC")).drop(columns="time")
    return bars


def _signals(path: Path, rows: list[tuple[str, float]]) -> Path:
    path.write_text("time,position\n" + "".join(f"{t},{p}\n" for t, p in rows))
    return path


def test_signals_json_agrees_with_the_core_on_the_same_bars(series: pd.DataFrame, tmp_path: Path) -> None:
    path = _signals(tmp_path / "sig.csv", [("2024-01-02T05:00:00Z", 1), ("2024-01-03 10:00", -0.5),
                                          ("2024-01-05T00:00:00+00:00", 0), ("2024-01-06T12:30:00Z", 1)])
    out = kinetra_json("backtest", "signals", "EURUSD", "H1", "--signals", str(path))
    expected = np.zeros(200)
    expected[5:], expected[34:], expected[72:], expected[109:] = 1, -0.5, 0, 1  # 12:30 takes effect at 13:00
    core = run(series, expected, spec_for("EURUSD", "forex"))
    assert out["trade_count"] == len(core.trades) == 3
    assert out["final_equity"] == pytest.approx(core.metrics["final_equity"], rel=1e-12)
    assert [t["entry_time"] for t in out["trades"]] == ["2024-01-02T06:00:00Z", "2024-01-03T11:00:00Z",
                                                         "2024-01-06T14:00:00Z"]
    assert out["trades"][1]["side"] == -1 and out["trades"][-1]["exit_reason"] == "end"
    free = kinetra_json("backtest", "signals", "EURUSD", "H1", "--signals", str(path), "--no-costs", "--fill", "close")
    assert free["trades"][0]["entry_time"] == "2024-01-02T05:00:00Z" and free["trades"][0]["spread_cost"] == 0


def test_signals_human_output_shows_metrics_and_trades(series: pd.DataFrame, tmp_path: Path) -> None:
    path = _signals(tmp_path / "sig.csv", [("2024-01-02T05:00:00Z", 1), ("2024-01-03T10:00:00Z", 0)])
    out = kinetra("backtest", "signals", "EURUSD", "H1", "--signals", str(path), "--start", "2024-01-02")
    assert out.returncode == 0, out.stderr
    assert "sharpe" in out.stdout and "max drawdown" in out.stdout and "Last 1 of 1 trades" in out.stdout


@pytest.mark.parametrize(("content", "code", "message"), [
    ("when,position\n2024-01-02,1\n", 3, "needs columns time,position"),
    ("time,position\n2024-01-02T05:00:00Z,abc\n", 3, "line 2: bad time or position"),
    ("time,position\nyesterday,1\n", 3, "line 2: bad time or position"),
    ("time,position\n2023-12-01T00:00:00Z,1\n", 2, "outside the series"),
    ("time,position\n2024-01-02T05:00:00Z,1\n2024-01-02T05:00:00Z,0\n", 3, "appears twice"),
])
def test_a_bad_signals_file_is_one_line(series: pd.DataFrame, tmp_path: Path, content: str, code: int, message: str) -> None:
    path = tmp_path / "sig.csv"
    path.write_text(content)
    out = kinetra("backtest", "signals", "EURUSD", "H1", "--signals", str(path))
    assert out.returncode == code and message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_an_unknown_series_or_fill_is_one_line(series: pd.DataFrame, tmp_path: Path) -> None:
    path = _signals(tmp_path / "sig.csv", [("2024-01-02T05:00:00Z", 1)])
    out = kinetra("backtest", "signals", "GBPUSD", "H1", "--signals", str(path))
    assert out.returncode == 4 and "no series GBPUSD H1" in out.stderr
    out = kinetra("backtest", "signals", "EURUSD", "H1", "--signals", str(path), "--fill", "vwap")
    assert out.returncode == 2 and "unknown fill mode 'vwap'" in out.stderr


def test_backtest_is_listed_in_help() -> None:
    out = kinetra("backtest", "--help")
    assert out.returncode == 0 and "signals" in out.stdout
    assert "backtest" in kinetra("--help").stdout


def test_an_agent_backtest_agrees_with_the_core_and_takes_params(series: pd.DataFrame) -> None:
    from kinetra.agents import create

    out = kinetra_json("backtest", "sma_crossover", "EURUSD", "H1", "--param", "fast=5", "-p", "slow=20",
                       "--param", "allow_short=false")
    positions = create("sma_crossover", fast=5, slow=20, allow_short=False).positions(series)
    core = run(series, positions, spec_for("EURUSD", "forex"))
    assert out["trade_count"] == len(core.trades) > 0
    assert out["final_equity"] == pytest.approx(core.metrics["final_equity"], rel=1e-12)
    assert all(t["side"] == 1 for t in out["trades"])  # allow_short=false: long or flat only


def test_agents_are_listed_and_bad_agent_input_is_one_line(series: pd.DataFrame) -> None:
    agents = {a["name"]: a for a in kinetra_json("agents", "list")}
    assert set(agents) == {"sma_crossover", "energy_momentum", "damping_reversion", "entropy_breakout", "berserker"}
    assert agents["sma_crossover"]["params"]["fast"] < agents["sma_crossover"]["params"]["slow"]
    assert all(a["description"] for a in agents.values())
    for args, words in ((("nope",), "unknown agent 'nope'"), (("sma_crossover", "--param", "speed=3"), "speed"),
                        (("sma_crossover", "--param", "fast"), "KEY=VALUE"),
                        (("signals",), "needs --signals")):
        out = kinetra("backtest", args[0], "EURUSD", "H1", *args[1:])
        assert out.returncode == 2 and words in out.stderr and out.stderr.count("\n") == 1, out.stderr
