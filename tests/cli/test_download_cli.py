"""`kinetra data download|fill` as a person runs them, through the SDK boundary in real processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from kinetra import runs
from kinetra.data.download import progress_rows
from kinetra.store import Store
from tests.support import fake_metaapi
from tests.support.cli import kinetra, kinetra_json
from tests.support.mt5 import make_bars, write_mt5

TOKEN = "tok-SECRET-5d81c0aa"
SITE = Path(__file__).resolve().parents[1] / "support" / "fake_sdk_site"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kinetra_home: Path):
    """Every kinetra process started from here talks to the fake MetaApi (via sitecustomize)."""
    bars = make_bars(6000, start="2025-01-06 00:00")
    export = write_mt5(tmp_path / "EURUSD_H1_export.csv", bars)
    scenario = {"token": TOKEN, "accounts": {"acc-9": {"state": "DEPLOYED"}}, "offset_hours": 2,
                "symbols": {"EURUSD": {"1h": str(export)}}}
    path = tmp_path / "scenario.json"

    def write(**changes: object) -> None:
        path.write_text(json.dumps(scenario | changes))

    write()
    monkeypatch.setenv("KINETRA_FAKE_METAAPI", str(path))
    monkeypatch.setenv("PYTHONPATH", f"{SITE}{os.pathsep}{REPO}")
    monkeypatch.setenv("KINETRA_METAAPI_TOKEN", TOKEN)
    monkeypatch.setenv("KINETRA_BROKERS__MT5__ACCOUNT_ID", "acc-9")
    monkeypatch.setenv("KINETRA_DOWNLOAD__BACKOFF_BASE_SECONDS", "0.01")
    return write, bars


def stored_bars() -> list[str]:
    return [b["time"] for b in kinetra_json("data", "bars", "EURUSD", "H1", "--broker", "mt5")]


def test_download_then_again_fetches_only_new_bars(fake) -> None:
    _, bars = fake
    first = kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert first["totals"]["added"] == len(bars) and first["series"][0]["server_offset_s"] == 7200
    again = kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert again["totals"]["added"] == 0 and again["totals"]["pages"] == 1  # the newest page only
    listed = kinetra_json("data", "list")
    assert [(s["symbol"], s["source"], s["bars"]) for s in listed] == [("EURUSD", "metaapi", len(bars))]


def test_a_download_killed_mid_way_resumes_to_exactly_the_sources_bars(fake, store: Store) -> None:
    write, bars = fake
    write(page_delay=0.4)
    run_id = kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01", "--detach")["run_id"]
    deadline = time.monotonic() + 60
    while not any(r["pages"] >= 2 for r in progress_rows(store, run_id)):
        assert time.monotonic() < deadline, "the download never got going"
        time.sleep(0.05)
    rec = runs.get(store, run_id)
    with contextlib.suppress(ProcessLookupError):
        os.kill(rec.pid, signal.SIGKILL)
    while (rec := runs.get(store, run_id)).status == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert rec.status == "failed" and "died" in rec.error
    partial = stored_bars()
    assert 0 < len(partial) < len(bars)
    write(page_delay=0)
    resumed = kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert resumed["totals"]["added"] == len(bars) - len(partial)
    got = stored_bars()
    assert len(got) == len(set(got)) == len(bars)
    expected = [(t - __import__("pandas").Timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ") for t in bars["time"]]
    assert got == expected


def test_bad_credentials_and_bad_input_are_one_line_each(fake, monkeypatch, kinetra_home: Path) -> None:
    monkeypatch.setenv("KINETRA_METAAPI_TOKEN", "not-the-token-77")
    out = kinetra("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "refused the token" in out.stderr
    assert "not-the-token-77" not in out.stderr + out.stdout
    monkeypatch.delenv("KINETRA_METAAPI_TOKEN")
    secrets = kinetra_home / "secrets.toml"
    secrets.write_text(f'metaapi_token = "{TOKEN}"\n')
    secrets.chmod(0o644)
    out = kinetra("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert out.returncode == 2 and f"chmod 600 {secrets}" in out.stderr and out.stderr.count("\n") == 1
    secrets.chmod(0o600)
    assert kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")["totals"]["added"] > 0
    for args, words in ((("--since", "someday"), "invalid --since"), (("--since", "2024-01-01", "--broker", "nope"),
                        "unknown broker"), (("--since", "2024-01-01", "--source", "ftp"), "unknown source")):
        out = kinetra("data", "download", "EURUSD", "-t", "H1", *args)
        assert out.returncode != 0 and words in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_the_token_never_appears_in_any_output_log_or_record(fake, kinetra_home: Path) -> None:
    write, _ = fake
    write(disconnect_every=3, leak_token_in_errors=True)
    outputs = [kinetra("data", "download", "EURUSD", "GBPUSD", "-t", "H1", "--since", "2024-12-01", "--json")]
    run_id = kinetra_json("data", "download", "EURUSD", "-t", "H4", "--since", "2024-12-01", "--detach")["run_id"]
    outputs += [kinetra("runs", "tail", run_id), kinetra("runs", "show", run_id, "--json"),
                kinetra("runs", "list", "--json"), kinetra("config", "show", "--json"), kinetra("data", "list")]
    write(disconnect_every=1, leak_token_in_errors=True)
    outputs.append(kinetra("data", "download", "EURUSD", "-t", "H1", "--since", "2020-01-01"))
    text = "".join(o.stdout + o.stderr for o in outputs)
    assert "***" in text  # the fake's error put the token in a message, and it was scrubbed
    logs = "".join(p.read_text(errors="replace") for p in (kinetra_home / "runs").glob("*.log"))
    dump = kinetra_home / "dump"
    store = Store(kinetra_home / "kinetra.duckdb")
    with store.session() as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                                            " WHERE table_catalog = 'kinetra'").fetchall()]
        for table in tables:
            con.execute(f"COPY (SELECT * FROM {table}) TO '{dump}-{table}.csv' (HEADER)")
    records = "".join(p.read_text() for p in kinetra_home.glob("dump-*.csv"))
    assert "runs" in tables and "run_events" in tables and len(records) > 1000
    for where, blob in (("output", text), ("run logs", logs), ("store", records)):
        assert TOKEN not in blob, f"token leaked into {where}"


def test_a_downloaded_broker_spec_is_what_a_backtest_then_uses_and_shows(fake) -> None:
    write, _ = fake
    write(specs={"EURUSD": fake_metaapi.EURUSD_SPEC}, prices={"EURUSD": fake_metaapi.EURUSD_PRICE})
    out = kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert out["warnings"] == [] and "contract_size" in out["specs"]["EURUSD"]["fields"]
    spec = kinetra_json("backtest", "sma_crossover", "EURUSD", "H1")["spec"]
    assert (spec["contract_size"], spec["tick_value"], spec["swap_long"]) == (10000, 0.1, -10.53)
    assert spec["layers"] == "broker > shipped" and spec["origin"]["triple_swap_day"] == "broker"
    human = kinetra("backtest", "sma_crossover", "EURUSD", "H1")
    assert human.returncode == 0 and "symbol spec: broker > shipped (broker: contract_size, digits" in human.stdout


def test_a_failing_spec_fetch_is_one_warning_and_the_download_still_succeeds(fake, store: Store) -> None:
    write, bars = fake
    write(spec_fails=True, leak_token_in_errors=True, specs={"EURUSD": fake_metaapi.EURUSD_SPEC})
    human = kinetra("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    assert human.returncode == 0 and human.stderr.count("warning: no broker specification for EURUSD") == 1
    out = kinetra_json("data", "download", "EURUSD", "-t", "H1", "--since", "2024-12-01")
    warnings = [e for e in runs.events(store, out["run_id"]) if e["level"] == "warning"]
    assert len(warnings) == 1 and warnings[0]["message"] == out["warnings"][0]
    assert TOKEN not in human.stdout + human.stderr + json.dumps(out) and len(stored_bars()) == len(bars)


def test_plan_downloads_the_configured_universe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINETRA_UNIVERSE__SOURCE", "synthetic")
    monkeypatch.setenv("KINETRA_UNIVERSE__SYMBOLS", json.dumps(  # env merges into the shipped table: empty the rest
        {"forex": ["EURUSD"], "metals": ["XAUUSD"], "indices": [], "energy": [], "crypto": []}))
    monkeypatch.setenv("KINETRA_UNIVERSE__TIMEFRAMES", '["H4"]')
    monkeypatch.setenv("KINETRA_UNIVERSE__HISTORY_DAYS", "60")
    result = kinetra_json("data", "download", "--plan")
    assert [(s["symbol"], s["timeframe"], s["status"]) for s in result["series"]] == [
        ("EURUSD", "H4", "done"), ("XAUUSD", "H4", "done")]
    listed = {(s["symbol"], s["timeframe"]): s["bars"] for s in kinetra_json("data", "list")}
    assert listed[("EURUSD", "H4")] == result["series"][0]["added"] > 0
