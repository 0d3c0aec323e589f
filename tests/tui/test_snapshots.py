"""Snapshots of Home, Data, the series view, Health and the download form on the seed-7 demo store at 120x36."""

from __future__ import annotations

from tests.tui.conftest import select_row, settle

SIZE = (120, 36)


def test_home_snapshot(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_data_snapshot(snap_compare, make_app) -> None:
    async def open_data(pilot) -> None:
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_data)


def test_series_view_snapshot(snap_compare, make_app) -> None:
    async def open_series(pilot) -> None:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_series)


def test_health_snapshot(snap_compare, make_app, scanned) -> None:
    async def open_health(pilot) -> None:
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_health)


def test_health_drill_down_snapshot(snap_compare, make_app, scanned) -> None:
    async def drill(pilot) -> None:
        await pilot.press("3")
        await settle(pilot)
        await select_row(pilot, pilot.app.screen.query_one("#health"), "XAUUSD", "H1")  # the demo gap
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=drill)


def test_download_form_snapshot(snap_compare, make_app, monkeypatch) -> None:
    monkeypatch.delenv("KINETRA_METAAPI_TOKEN", raising=False)  # the form offers synthetic, and says why

    async def open_download(pilot) -> None:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#symbol-filter")
        await pilot.press(*"EURUSD", "enter", "tab")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_download)
