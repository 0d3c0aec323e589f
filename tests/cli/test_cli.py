"""The `kinetra` command as a user runs it: real processes, JSON out, one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from kinetra import runs
from kinetra.store import Store
from tests.support.cli import kinetra, kinetra_json
from tests.support.mt5 import SHARED_MT5, make_bars, write_mt5


def test_help_lists_the_areas_and_is_fast() -> None:
    started = time.monotonic()
    out = kinetra("--help")
    assert out.returncode == 0
    for area in ("config", "data", "runs", "demo"):
        assert area in out.stdout
    assert time.monotonic() - started < 10  # generous: the point is lazy imports, checked in bench


def test_import_then_list_then_bars(tmp_path: Path) -> None:
    bars = make_bars(24)
    write_mt5(tmp_path / "XAUUSD+_H1_202401020000_202401022300.csv", bars)
    result = kinetra_json("data", "import", str(tmp_path))
    assert result["status"] == "succeeded" and result["totals"]["added"] == 24
    [series] = kinetra_json("data", "list")
    assert (series["symbol"], series["timeframe"], series["asset_class"], series["bars"]) == ("XAUUSD+", "H1", "metals", 24)
    assert series["first"] == "2024-01-02T00:00:00Z" and series["last"] == "2024-01-02T23:00:00Z"
    rows = kinetra_json("data", "bars", "xauusd+", "h1", "--start", "2024-01-02T10:00", "--end", "2024-01-02T12:00")
    assert [r["time"] for r in rows] == ["2024-01-02T10:00:00Z", "2024-01-02T11:00:00Z", "2024-01-02T12:00:00Z"]
    assert rows[0]["close"] == bars.loc[10, "close"]
    csv = kinetra("data", "bars", "XAUUSD+", "H1", "--limit", "2", "--tail", "--csv")
    assert csv.stdout.splitlines()[0] == "time,open,high,low,close,tick_volume,volume,spread"
    assert csv.stdout.splitlines()[-1].startswith("2024-01-02T23:00:00Z,")
    assert kinetra_json("data", "import", str(tmp_path))["totals"]["added"] == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (("data", "bars", "NOPE", "H1"), 4, "no series NOPE H1"),
    (("data", "bars", "NOPE", "H7"), 2, "unknown timeframe 'H7'"),
    (("runs", "show", "nope"), 4, "no run with id 'nope'"),
    (("config", "set", "profile", "yolo"), 2, "invalid config profile"),
    (("config", "set", "brokers.x.timezone", "Mars/Base"), 2, "brokers.x.timezone"),
    (("data", "import", "/no/such/file.csv"), 3, "no such file or folder"),
])
def test_bad_input_is_one_line_on_stderr_and_a_non_zero_exit(args: tuple[str, ...], code: int, message: str) -> None:
    out = kinetra(*args)
    assert out.returncode == code
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_a_malformed_file_is_one_line_and_leaves_the_store_unchanged(tmp_path: Path) -> None:
    good = write_mt5(tmp_path / "EURUSD_H1.csv", make_bars(10))
    kinetra_json("data", "import", str(good))
    bad = tmp_path / "bad" / "GBPUSD_H1.csv"
    bad.parent.mkdir()
    bad.write_text("<DATE>\t<OPEN>\r\nfoo\tbar\r\n")
    before = kinetra_json("data", "list")
    out = kinetra("data", "import", str(bad))
    assert out.returncode == 3 and "GBPUSD_H1.csv" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert kinetra_json("data", "list") == before


def test_config_show_and_set(kinetra_home: Path) -> None:
    assert kinetra_json("config", "show")["settings"]["profile"] == "research"
    assert kinetra("config", "set", "profile", "paper").returncode == 0
    shown = kinetra_json("config", "show")
    assert shown["settings"]["profile"] == "paper" and shown["home"] == str(kinetra_home)


def _write_big(path: Path, n: int) -> Path:
    bars = make_bars(n, start="2020-01-01", freq="min")
    frame = bars.assign(d=bars["time"].dt.strftime("%Y.%m.%d"), t=bars["time"].dt.strftime("%H:%M:%S"))
    frame = frame[["d", "t", "open", "high", "low", "close", "tick_volume", "volume", "spread"]]
    frame.columns = ["<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"]
    frame.to_csv(path, sep="\t", index=False, lineterminator="\r\n", float_format="%.5f")
    return path


@pytest.mark.slow
def test_detached_import_runs_in_background_and_a_killed_one_leaves_no_partial_ingest(
        tmp_path: Path, kinetra_home: Path) -> None:
    big = _write_big(tmp_path / "EURUSD_M1.csv", 300_000)
    run_id = kinetra_json("data", "import", str(big), "--detach")["run_id"]
    store = Store(kinetra_home / "kinetra.duckdb")
    deadline = time.monotonic() + 60
    while (live := runs.get(store, run_id)).status == "queued" or not live.pid:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):  # it may already have finished under load
        os.kill(live.pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while (rec := kinetra_json("runs", "show", run_id))["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    listed = kinetra_json("data", "list")
    assert rec["status"] in ("failed", "succeeded")
    if rec["status"] == "failed":
        assert "died" in rec["error"]
    # all or nothing: a kill before the commit leaves no bars, one after it leaves every bar
    assert [s["bars"] for s in listed] in ([], [300_000])
    run_id = kinetra_json("data", "import", str(big), "--detach")["run_id"]
    tail = kinetra("runs", "tail", run_id, "--poll", "0.2")
    assert tail.returncode == 0, tail.stderr
    assert "succeeded 100%" in tail.stdout
    assert kinetra_json("data", "list")[0]["bars"] == 300_000
    listed_runs = kinetra_json("runs", "list")
    assert [r["kind"] for r in listed_runs] == ["import", "import"]


def test_tail_json_streams_progress_until_the_end() -> None:
    run_id = kinetra_json("demo", "--seed", "3")["run_id"]
    out = kinetra("runs", "tail", run_id, "--json")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 0 and lines[-1] == {"status": "succeeded", "progress": 1.0, "message": "done"}


def test_cancel_of_a_finished_run_says_so(tmp_path: Path) -> None:
    result = kinetra_json("data", "import", str(write_mt5(tmp_path / "EURUSD_H1.csv", make_bars(5))))
    out = kinetra("runs", "cancel", result["run_id"])
    assert out.returncode == 0 and "already succeeded" in out.stdout


@pytest.mark.skipif(not SHARED_MT5.is_dir(), reason="shared MT5 exports not present")
def test_importing_the_shared_exports_from_the_cli(tmp_path: Path) -> None:
    result = kinetra_json("data", "import", str(SHARED_MT5))
    assert len(result["series"]) == 6 and result["totals"]["rejected"] == 0
    expected = {p.name: sum(1 for _ in p.open("rb")) - 1 for p in SHARED_MT5.glob("*.csv")}
    assert {Path(s["origin"]).name: s["added"] for s in result["series"]} == expected
    assert kinetra_json("data", "import", str(SHARED_MT5))["totals"]["added"] == 0


def test_data_health_reports_json_and_fails_under_a_score() -> None:
    kinetra_json("demo", "--seed", "7")
    reports = kinetra_json("data", "health")
    assert len(reports) == 13 and reports[0]["score"] < 100
    for key in ("symbol", "timeframe", "score", "breakdown", "gaps", "holidays", "issues", "freshness"):
        assert key in reports[0]
    gold = kinetra_json("data", "health", "XAUUSD", "H1")
    assert [g["missing_bars"] for g in gold[0]["gaps"]] == [5]
    assert kinetra("data", "health", "--fail-under", "50").returncode == 0
    failing = kinetra("data", "health", "--fail-under", "99.9")
    assert failing.returncode == 1 and "score below 99.9" in failing.stderr
    assert [r["kind"] for r in kinetra_json("runs", "list")][:1] == ["health"]
