"""Downloads: only what the store lacks, idempotent, resumable without holes, MetaAPI paging and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import metaapi_cloud_sdk
import numpy as np
import pandas as pd
import pytest

from kinetra.clock import FrozenClock
from kinetra.config import load_settings
from kinetra.data.download import DownloadRequest, broker_clock, download, plan_request, progress_rows
from kinetra.data.inventory import find_series, load_bars
from kinetra.data.sources import SourceAuthError, SourceError
from kinetra.data.sources.metaapi import FROM_METAAPI, TO_METAAPI, server_offset
from kinetra.data.sources.retry import backoff_delay
from kinetra.data.sources.synthetic import SyntheticSource
from kinetra.errors import RunCancelled
from kinetra.store import Store
from tests.support import fake_metaapi
from tests.support.mt5 import make_bars, write_mt5

NOW = FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
SINCE = datetime(2026, 6, 1)


def synthetic(symbols=("EURUSD",), tfs=("H1",), since=SINCE) -> DownloadRequest:
    return DownloadRequest(list(symbols), list(tfs), since, source="synthetic")


def history(symbol: str = "EURUSD", tf: str = "H1", start: datetime = SINCE, end: datetime | None = None) -> pd.DataFrame:
    """What the synthetic source holds in [start, end]."""
    from kinetra.data.sources.synthetic import _history

    frame = _history(symbol, tf, 7)
    keep = frame["ts"] >= start
    if end is not None:
        keep &= frame["ts"] <= end
    return frame[keep.to_numpy()].reset_index(drop=True)


def stored(store: Store, symbol: str = "EURUSD", tf: str = "H1", broker: str = "demo") -> pd.DataFrame:
    bars = load_bars(store, find_series(store, symbol, tf, broker).id)
    return bars.reset_index().rename(columns={"time": "ts"}).assign(ts=lambda f: f["ts"].dt.tz_localize(None))


def same_bars(store: Store, expected: pd.DataFrame, symbol: str = "EURUSD", tf: str = "H1", broker: str = "demo") -> None:
    got = stored(store, symbol, tf, broker)
    assert len(got) == len(expected) and got["ts"].is_unique
    assert (got["ts"].to_numpy() == expected["ts"].to_numpy()).all()
    assert np.array_equal(got["close"].to_numpy(), expected["close"].to_numpy())


# --- the synthetic source: extent, idempotence, incremental, older history --------------------------

def test_a_first_download_stores_exactly_the_sources_bars_and_a_second_adds_nothing(store: Store) -> None:
    first = download(store, synthetic(), clock=NOW)
    same_bars(store, history())
    assert first["totals"]["added"] == len(history()) and first["series"][0]["status"] == "done"
    assert first["totals"]["pages"] == -(-len(history()) // 1000)
    again = download(store, synthetic(), clock=NOW)
    assert again["totals"]["added"] == 0
    assert [w["kind"] for w in again["series"][0]["windows"]] == ["newer"]  # only past the last bar is asked
    same_bars(store, history())


def test_later_runs_fetch_only_newer_bars_and_older_history_on_request(store: Store) -> None:
    early = FrozenClock(datetime(2026, 9, 1, tzinfo=UTC))
    download(store, synthetic(), clock=early)
    same_bars(store, history(end=datetime(2026, 8, 31, 23)))
    later = download(store, synthetic(), clock=NOW)
    assert later["totals"]["added"] == len(history()) - len(history(end=datetime(2026, 8, 31, 23)))
    assert [w["kind"] for w in later["series"][0]["windows"]] == ["newer"]
    older = download(store, synthetic(since=datetime(2026, 3, 1)), clock=NOW)
    assert [w["kind"] for w in older["series"][0]["windows"]] == ["newer", "older"]
    same_bars(store, history(start=datetime(2026, 3, 1)))


def test_history_the_source_lacks_is_asked_for_once(store: Store) -> None:
    since = datetime(2020, 1, 1)  # the synthetic history starts in 2024
    download(store, synthetic(since=since), clock=NOW)
    again = download(store, synthetic(since=since), clock=NOW)
    assert [w["kind"] for w in again["series"][0]["windows"]] == ["newer"]
    same_bars(store, history(start=since))


def test_a_forming_bar_is_never_stored(store: Store) -> None:
    mid_bar = FrozenClock(datetime(2026, 11, 20, 15, 30, tzinfo=UTC))
    download(store, synthetic(), clock=mid_bar)
    assert stored(store)["ts"].iloc[-1] == pd.Timestamp("2026-11-20 14:00")  # 15:00 is still forming


class _CancelAfter:
    def __init__(self, pages: int) -> None:
        self.left = pages

    def __call__(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_a_cancelled_download_resumes_where_it_stopped_with_no_holes(store: Store) -> None:
    request = synthetic(("EURUSD", "GBPUSD"), ("H1", "M15"), since=datetime(2025, 11, 1))
    with pytest.raises(RunCancelled):
        download(store, request, clock=NOW, should_cancel=_CancelAfter(7))
    with store.session() as con:
        pending = con.execute("SELECT count(*) FROM download_windows").fetchall()[0][0]
    assert pending >= 1
    resumed = download(store, request, clock=NOW)
    assert all(s["status"] == "done" for s in resumed["series"])
    for symbol in ("EURUSD", "GBPUSD"):
        for tf in ("H1", "M15"):
            same_bars(store, history(symbol, tf, datetime(2025, 11, 1)), symbol, tf)
    with store.session() as con:
        assert con.execute("SELECT count(*) FROM download_windows").fetchall()[0][0] == 0


def test_an_unknown_symbol_fails_alone(store: Store) -> None:
    result = download(store, synthetic(("EURUSD", "NOPE")), clock=NOW, run_id="r1")
    status = {s["symbol"]: (s["status"], s["error"]) for s in result["series"]}
    assert status["EURUSD"] == ("done", None)
    assert status["NOPE"][0] == "failed" and "no symbol NOPE" in status["NOPE"][1]
    rows = {r["symbol"]: r for r in progress_rows(store, "r1")}
    assert rows["EURUSD"]["bars"] == len(history()) and rows["NOPE"]["status"] == "failed"
    with pytest.raises(SourceError, match="nothing downloaded"):
        download(store, synthetic(("NOPE",)), clock=NOW)


def test_the_plan_is_the_configured_universe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINETRA_UNIVERSE__SOURCE", "synthetic")
    request = plan_request(load_settings(), NOW)
    assert request.source == "synthetic" and request.timeframes == ["H1", "H4"]
    assert {"EURUSD", "XAUUSD", "BTCUSD"} <= set(request.symbols)
    assert request.since == datetime(2024, 11, 23)


def test_synthetic_pages_run_newest_first_and_ascending_within() -> None:
    import asyncio

    async def collect() -> list[pd.DataFrame]:
        return [p.frame async for p in SyntheticSource(page_size=100).pages("EURUSD", "H1", SINCE, datetime(2026, 7, 1))]

    pages = asyncio.run(collect())
    assert all(len(p) <= 100 and p["ts"].is_monotonic_increasing for p in pages)
    assert all(a["ts"].iloc[0] > b["ts"].iloc[-1] for a, b in zip(pages, pages[1:], strict=False))
    assert sum(map(len, pages)) == len(history(end=datetime(2026, 7, 1)))


# --- MetaAPI through the SDK boundary --------------------------------------------------------------

TOKEN = "tok-7f3a9c1e5b"


@pytest.fixture
def fake_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kinetra_home: Path):
    """The SDK's MetaApi swapped for the fake, serving 5,000 H1 bars of EURUSD on server time UTC+2."""
    bars = make_bars(5000, start="2025-01-06 00:00")
    path = write_mt5(tmp_path / "EURUSD_H1_export.csv", bars)
    scenario = {"token": TOKEN, "accounts": {"acc-1": {"state": "DEPLOYED"}}, "offset_hours": 2,
                "symbols": {"EURUSD": {"1h": str(path)}}, "call_log": str(tmp_path / "calls.jsonl")}
    fake_metaapi.use(scenario)
    monkeypatch.setattr(metaapi_cloud_sdk, "MetaApi", fake_metaapi.FakeMetaApi)
    monkeypatch.setenv("KINETRA_METAAPI_TOKEN", TOKEN)
    monkeypatch.setenv("KINETRA_BROKERS__MT5__ACCOUNT_ID", "acc-1")
    monkeypatch.setenv("KINETRA_DOWNLOAD__BACKOFF_BASE_SECONDS", "0.01")
    yield scenario, bars
    fake_metaapi.use(None)


def metaapi(symbols=("EURUSD",), since=datetime(2024, 12, 1), deploy=False) -> DownloadRequest:
    return DownloadRequest(list(symbols), ["H1"], since, source="metaapi", deploy=deploy)


def test_metaapi_pages_backwards_by_1000_and_stores_utc_bars(store: Store, fake_sdk) -> None:
    scenario, bars = fake_sdk
    result = download(store, metaapi(), clock=NOW)
    got = stored(store, broker="mt5")
    assert (got["ts"].to_numpy() == (bars["time"] - pd.Timedelta(hours=2)).to_numpy()).all()
    assert np.array_equal(got["close"].to_numpy(), bars["close"].to_numpy())
    calls = [json.loads(line) for line in Path(scenario["call_log"]).read_text().splitlines()]
    assert all(c["limit"] == 1000 and c["timeframe"] == "1h" for c in calls)
    starts = [pd.Timestamp(c["start_time"]) for c in calls]
    assert starts == sorted(starts, reverse=True) and len(calls) == 6  # 5 full pages, then an empty one
    assert result["series"][0]["server_offset_s"] == 7200 and broker_clock(store, "mt5") == 7200
    assert download(store, metaapi(), clock=NOW)["totals"]["added"] == 0


def test_rate_limits_and_dropped_connections_are_retried(store: Store, fake_sdk) -> None:
    scenario, bars = fake_sdk
    scenario.update(rate_limit_every=3, disconnect_every=4, rate_limit_seconds=0.05)
    result = download(store, metaapi(), clock=NOW)
    assert result["totals"]["retries"] >= 3
    assert len(stored(store, broker="mt5")) == len(bars)


def test_a_connection_that_stays_down_fails_with_one_line(store: Store, fake_sdk, monkeypatch) -> None:
    scenario, _ = fake_sdk
    scenario.update(disconnect_every=1)
    monkeypatch.setenv("KINETRA_DOWNLOAD__MAX_RETRIES", "2")
    with pytest.raises(SourceError, match=r"unreachable after 3 tries") as err:
        download(store, metaapi(), clock=NOW)
    assert "\n" not in str(err.value)


def test_a_wrong_token_stops_at_once_and_changes_nothing(store: Store, fake_sdk, monkeypatch) -> None:
    monkeypatch.setenv("KINETRA_METAAPI_TOKEN", "wrong-token-123")
    with pytest.raises(SourceAuthError, match="refused the token") as err:
        download(store, metaapi(("EURUSD", "GBPUSD")), clock=NOW)
    assert "wrong-token-123" not in str(err.value)
    with store.session() as con:
        assert con.execute("SELECT count(*) FROM bars").fetchall()[0][0] == 0


def test_an_unknown_metaapi_symbol_fails_that_series_only(store: Store, fake_sdk) -> None:
    result = download(store, metaapi(("EURUSD", "XXXYYY")), clock=NOW)
    status = {s["symbol"]: s for s in result["series"]}
    assert status["EURUSD"]["status"] == "done" and status["XXXYYY"]["status"] == "failed"
    assert "not found" in status["XXXYYY"]["error"]


def test_an_undeployed_account_says_so_and_deploy_fixes_it(store: Store, fake_sdk) -> None:
    scenario, bars = fake_sdk
    scenario["accounts"]["acc-1"]["state"] = "UNDEPLOYED"
    with pytest.raises(SourceAuthError, match="--deploy"):
        download(store, metaapi(), clock=NOW)
    assert download(store, metaapi(deploy=True), clock=NOW)["totals"]["added"] == len(bars)


def test_the_real_sdk_is_called_and_a_dead_network_is_one_line(store: Store, monkeypatch) -> None:
    monkeypatch.setenv("KINETRA_METAAPI_TOKEN", TOKEN)
    monkeypatch.setenv("KINETRA_BROKERS__MT5__ACCOUNT_ID", "acc-1")
    monkeypatch.setenv("KINETRA_DOWNLOAD__MAX_RETRIES", "0")
    monkeypatch.setenv("KINETRA_DOWNLOAD__REQUEST_TIMEOUT_SECONDS", "20")
    with pytest.raises(SourceError) as err:
        download(store, metaapi(), clock=NOW)
    assert "\n" not in str(err.value) and TOKEN not in str(err.value)


# --- small pure parts --------------------------------------------------------------------------------

def test_timeframes_map_both_ways() -> None:
    assert TO_METAAPI["H1"] == "1h" and TO_METAAPI["MN1"] == "1mn" and TO_METAAPI["M15"] == "15m"
    assert all(FROM_METAAPI[v] == k for k, v in TO_METAAPI.items()) and len(FROM_METAAPI) == 21


def test_the_server_offset_is_learned_to_the_quarter_hour() -> None:
    candle = {"time": datetime(2025, 7, 1, 9, 0, tzinfo=UTC), "brokerTime": "2025-07-01 12:00:00.000"}
    assert server_offset([candle]) == 3 * 3600
    assert server_offset([{"time": datetime(2025, 1, 1, tzinfo=UTC)}]) is None


def test_backoff_grows_is_capped_and_jittered_by_seed() -> None:
    import random

    delays = [backoff_delay(i, 1.0, 10.0, random.Random(3)) for i in range(6)]
    assert all(0.5 * min(10, 2 ** i) <= d <= min(10, 2 ** i) for i, d in enumerate(delays))
    assert delays == [backoff_delay(i, 1.0, 10.0, random.Random(3)) for i in range(6)]


def test_the_symbol_list_comes_from_the_account(fake_sdk) -> None:
    import asyncio

    from kinetra.data.sources import open_source

    async def listing() -> list[str] | None:
        source = open_source("metaapi", load_settings(), None)
        try:
            return await source.symbols()
        finally:
            await source.close()

    assert asyncio.run(listing()) == ["EURUSD"]


# --- the broker's symbol specification ------------------------------------------------------------

def test_a_download_stores_the_brokers_spec_and_backtests_then_use_it(store: Store, fake_sdk) -> None:
    from kinetra.backtest import run, spec_for
    from kinetra.backtest.signals import load_series
    from kinetra.data.broker_specs import stored_spec

    scenario, _ = fake_sdk
    scenario.update(specs={"EURUSD": fake_metaapi.EURUSD_SPEC}, prices={"EURUSD": fake_metaapi.EURUSD_PRICE})
    result = download(store, metaapi(), clock=NOW)
    assert result["warnings"] == [] and result["specs"]["EURUSD"]["notes"] == []
    saved = stored_spec(store, "mt5", "EURUSD")
    assert saved is not None and saved.source == "metaapi" and saved.raw["description"] == "Euro vs US Dollar (mini)"
    assert TOKEN not in json.dumps([saved.values, saved.raw, saved.notes, result])
    _, bars, spec = load_series(store, "EURUSD", "H1", "mt5")
    assert (spec.digits, spec.contract_size, spec.tick_value) == (5, 10000, pytest.approx(0.1))
    assert (spec.swap_long, spec.swap_short, spec.triple_swap_day) == (-10.53, 4.98, "friday")
    assert spec.layers == "broker > shipped" and spec.origin["contract_size"] == "broker"
    held = np.ones(len(bars))  # long throughout: swap every night, three on Friday's rollover
    ours, shipped = run(bars, held, spec), run(bars, held, spec_for("EURUSD", "forex"))
    lots = ours.trades["size"].iloc[0]
    nights = ours.trades["swap"].iloc[0] / (-10.53 * 0.1 * lots)
    assert nights == pytest.approx(round(nights)) and nights > 100  # whole nights of the broker's swap
    assert shipped.trades["swap"].iloc[0] != pytest.approx(ours.trades["swap"].iloc[0])


@pytest.mark.parametrize("trouble", ["spec_fails", "no_spec"])
def test_a_failing_or_missing_spec_warns_once_and_the_download_succeeds(store: Store, fake_sdk, trouble: str) -> None:
    from kinetra.data.broker_specs import stored_spec

    scenario, bars = fake_sdk
    if trouble == "spec_fails":
        scenario.update(spec_fails=True, leak_token_in_errors=True, specs={"EURUSD": fake_metaapi.EURUSD_SPEC})
    events: list[tuple[str, str]] = []
    result = download(store, metaapi(), clock=NOW, on_event=lambda message, level: events.append((level, message)))
    assert result["totals"]["added"] == len(bars) and result["series"][0]["status"] == "done"
    assert len(events) == 1 and events[0][0] == "warning" and result["warnings"] == [events[0][1]]
    assert "no broker specification for EURUSD" in events[0][1] and "\n" not in events[0][1]
    assert TOKEN not in events[0][1] and stored_spec(store, "mt5", "EURUSD") is None and result["specs"] == {}
