"""Download from the TUI: the form on Data → d, a live synthetic run, bad input, and reopening."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from textual.widgets import DataTable, Input, Select, SelectionList, Static

from kinetra import runs
from kinetra.clock import FrozenClock
from kinetra.data.download import DownloadRequest
from kinetra.store import Store
from tests.tui.conftest import FROZEN, settle
from tui.app import KinetraApp
from tui.screens.download import DownloadScreen

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def no_metaapi(monkeypatch: pytest.MonkeyPatch) -> None:
    """No MetaAPI token anywhere, so the form offers the synthetic source."""
    monkeypatch.delenv("KINETRA_METAAPI_TOKEN", raising=False)


@pytest.fixture
def fresh_app(store: Store, monkeypatch: pytest.MonkeyPatch):
    """The app over an empty store (every downloaded bar is new), frozen clock."""
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return lambda: KinetraApp(store=store, clock=FrozenClock(FROZEN), store_label="~/kinetra/kinetra.duckdb")


def stored_bars(store: Store, broker: str, symbol: str, timeframe: str) -> int:
    with store.session() as con:
        return con.execute("SELECT count(*) FROM bars b JOIN series s ON s.id = b.series_id WHERE s.broker = ?"
                           " AND s.symbol = ? AND s.timeframe = ?", [broker, symbol, timeframe]).fetchall()[0][0]


def cells(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def open_download(pilot) -> DownloadScreen:
    await pilot.press("2")
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DownloadScreen)
    return pilot.app.screen


async def fill_form(pilot, screen: DownloadScreen, symbol: str, since: str) -> None:
    screen.query_one("#since", Input).value = since
    await pilot.click("#symbol-filter")
    await pilot.press(*symbol, "enter")
    await settle(pilot)


async def test_a_synthetic_download_started_from_the_form_shows_each_series_done(fresh_app) -> None:
    app = fresh_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_download(pilot)
        assert screen.query_one("#source", Select).value == "synthetic"
        assert "no MetaAPI token" in str(screen.query_one("#source-hint", Static).render())
        assert screen.query_one("#timeframes", SelectionList).selected == ["H1"]
        await fill_form(pilot, screen, "EURUSD", "2026-10-01")
        assert screen.chosen == {"EURUSD"}
        await pilot.press("ctrl+s")
        deadline = time.monotonic() + 90
        while screen.run_status not in runs.FINISHED:
            assert time.monotonic() < deadline, "download did not finish"
            await pilot.pause(0.2)
        await pilot.pause()
        assert screen.run_status == "succeeded"
        added = stored_bars(app.store, "demo", "EURUSD", "H1")
        assert added > 500  # seven weeks of weekday hours
        row = cells(screen.query_one("#progress", DataTable), "demo|EURUSD|H1")
        assert row[:4] == ["EURUSD", "H1", "demo", "done"] and row[5] == f"{added:,}"
        assert str(screen.query_one("#summary", Static).render()).startswith(f"done: {added:,} new bars")
    [rec] = runs.list_runs(app.store, kinds=("download",))
    assert rec.params["symbols"] == ["EURUSD"] and rec.params["timeframes"] == ["H1"]
    assert rec.params["since"] == "2026-10-01T00:00:00" and rec.params["source"] == "synthetic"


async def test_x_cancels_the_running_download_and_its_unfinished_series_show_stopped(fresh_app) -> None:
    app = fresh_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_download(pilot)
        await fill_form(pilot, screen, "EURUSD", "2025-06-01")
        timeframes = screen.query_one("#timeframes", SelectionList)
        timeframes.deselect_all().select("M1")  # hundreds of pages: long enough to cancel midway
        await pilot.click("#start")
        deadline = time.monotonic() + 90
        while screen.run_status != "running":
            assert time.monotonic() < deadline and screen.run_status not in runs.FINISHED, screen.run_status
            await pilot.pause(0.1)
        await pilot.press("x")
        while screen.run_status not in runs.FINISHED:
            assert time.monotonic() < deadline, "download did not stop"
            await pilot.pause(0.2)
        await pilot.pause()
        assert screen.run_status == "cancelled"
        assert cells(screen.query_one("#progress", DataTable), "demo|EURUSD|M1")[3] == "stopped"
        assert str(screen.query_one("#summary", Static).render()).startswith("cancelled: download cancelled")
    assert stored_bars(app.store, "demo", "EURUSD", "M1") < 400_000  # stopped well short of the whole range


@pytest.mark.parametrize(("since", "symbol", "error"), [
    ("2026-13-45", "EURUSD", "since '2026-13-45' is not a date: use YYYY-MM-DD"),
    ("2027-01-01", "EURUSD", "since 2027-01-01 is not in the past"),
    ("2026-10-01", "", "choose at least one symbol"),
])
async def test_bad_form_input_is_one_line_and_starts_no_run(fresh_app, since: str, symbol: str, error: str) -> None:
    app = fresh_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_download(pilot)
        await fill_form(pilot, screen, symbol, since)
        await pilot.click("#start")
        await settle(pilot)
        assert str(screen.query_one("#form-error", Static).render()).startswith(error)
        assert screen.run_id is None
    assert runs.list_runs(app.store, kinds=("download",)) == []


async def test_typing_an_unlisted_symbol_adds_it_and_a_partial_name_picks_the_only_match(fresh_app) -> None:
    app = fresh_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_download(pilot)
        await fill_form(pilot, screen, "xau", "2026-10-01")
        await pilot.click("#symbol-filter")
        await pilot.press(*"GER40.cash", "enter")
        await settle(pilot)
        assert screen.chosen == {"XAUUSD", "GER40.cash"}
        box = screen.query_one("#symbols", SelectionList)
        assert set(box.selected) == {"XAUUSD", "GER40.cash"}


async def test_reopening_the_screen_shows_the_last_download_run(fresh_app) -> None:
    app = fresh_app()
    request = DownloadRequest(symbols=["XAUUSD", "NOPE"], timeframes=["H4"], since=datetime(2026, 11, 1),
                              source="synthetic")
    rec = await asyncio.to_thread(runs.run_inline, app.store, "download", request.to_params())  # no loop inside
    assert rec.status == "succeeded"
    added = stored_bars(app.store, "demo", "XAUUSD", "H4")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_download(pilot)
        assert screen.run_id == rec.id
        assert rec.id in str(screen.query_one("#run-line", Static).render())
        table = screen.query_one("#progress", DataTable)
        assert cells(table, "demo|XAUUSD|H4")[3] == "done" and cells(table, "demo|XAUUSD|H4")[5] == f"{added:,}"
        assert cells(table, "demo|NOPE|H4")[3] == "failed"
        summary = str(screen.query_one("#summary", Static).render())
        assert summary.startswith(f"done: {added:,} new bars") and "1 failed: NOPE H4: the synthetic source" in summary
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.run_id == rec.id


async def test_the_download_help_lists_its_keys(fresh_app) -> None:
    app = fresh_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_download(pilot)
        app.screen.query_one("#progress", DataTable).focus()
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("#keys", DataTable)
        rows = {tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)}
        for row in [("screen", "ctrl+s", "Start"), ("screen", "x", "Cancel run"), ("screen", "escape", "Back"),
                    ("screen", "/", "Find symbol"), ("screen", "space", "Toggle the highlighted symbol or timeframe")]:
            assert row in rows


async def test_metaapi_without_an_account_falls_back_to_the_universe_and_refuses_to_start(
        fresh_app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINETRA_METAAPI_TOKEN", "token-but-no-account")
    app = fresh_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_download(pilot)
        hint = screen.query_one("#source-hint", Static)
        assert screen.query_one("#source", Select).value == "synthetic"
        assert "no broker has a MetaAPI account_id" in str(hint.render())
        screen.query_one("#source", Select).value = "metaapi"
        await settle(pilot)
        assert screen.query_one("#broker", Select).value == app.settings.default_broker
        assert str(hint.render()).startswith("metaapi will fail: no broker has a MetaAPI account_id")
        universe = sorted({s for group in app.settings.universe.symbols.values() for s in group})
        assert screen.known == universe and "USDJPY" in universe
        assert "metaapi cannot list symbols" in str(screen.query_one("#symbols-note", Static).render())
        await fill_form(pilot, screen, "USDJPY", "2026-10-01")
        await pilot.click("#start")
        await settle(pilot)
        assert str(screen.query_one("#form-error", Static).render()).startswith("metaapi cannot be used")
    assert runs.list_runs(app.store, kinds=("download",)) == []
