"""Snapshots of Home, Data, the series view, Health, Jobs and the download form on the seed-7 demo store at 120x36."""

from __future__ import annotations

from datetime import datetime

from kinetra.jobs.schedules import update_job
from tests.tui.conftest import record_execution, select_row, settle

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


def seed_jobs(store) -> None:
    """Two enabled jobs, a failed refresh after a failed try, a good backup; no daemon."""
    update_job("refresh", enabled=True)
    update_job("health", enabled=True, cron="30 7 * * *", timezone="Europe/London")
    record_execution(store, "refresh", "failed", datetime(2026, 11, 20, 6, 2), summary="0 new bars in 5 series",
                     error="broker timed out", attempt=1, run_id="5be01d9c4a")
    record_execution(store, "refresh", "failed", datetime(2026, 11, 21, 6, 4), summary="12 new bars in 5 series",
                     error="3 series failed: EURUSD H1, GBPUSD H1, XAUUSD H1", attempt=1, run_id="9c2e7f1a03")
    record_execution(store, "refresh", "succeeded", datetime(2026, 11, 19, 6, 3), summary="480 new bars in 5 series",
                     attempt=1, run_id="0d4b8e6f12")
    record_execution(store, "backup", "succeeded", datetime(2026, 11, 15, 3, 1), attempt=1, run_id="71aa3c9e5d",
                     summary="backup at ~/kinetra/backups/2026-11-15 (41,212 rows)")


def test_jobs_snapshot(snap_compare, make_app, demo_store) -> None:
    seed_jobs(demo_store)

    async def open_jobs(pilot) -> None:
        await pilot.press("7")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_jobs)


def test_job_history_snapshot(snap_compare, make_app, demo_store) -> None:
    seed_jobs(demo_store)

    async def open_history(pilot) -> None:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("enter")  # refresh, the first job
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_history)


def test_home_with_a_failed_job_snapshot(snap_compare, make_app, demo_store) -> None:
    seed_jobs(demo_store)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)

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
