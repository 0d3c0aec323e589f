"""The Jobs screen (7) as a person drives it, and failed jobs on Home."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Static

from kinetra.jobs import daemon
from kinetra.jobs.launch import execute_job, history
from kinetra.jobs.scheduler import overview
from kinetra.jobs.schedules import load_jobs, update_job
from tests.tui.conftest import record_execution, settle
from tui.screens.jobs import JobsScreen
from tui.screens.modals.job_history import JobHistoryModal
from tui.screens.modals.run_detail import RunDetailModal
from tui.screens.modals.schedule import ScheduleModal

SIZE = (120, 36)


async def open_jobs(pilot, job: str | None = None) -> DataTable:
    """Switch to Jobs, wait for it, and put the jobs table's cursor on `job`."""
    await pilot.press("7")
    await settle(pilot)
    table = pilot.app.screen.query_one("#jobs", DataTable)
    if job is not None:
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        table.move_cursor(row=names.index(job))
    return table


def cells(table: DataTable, name: str) -> list[str]:
    return [str(c) for c in table.get_row(name)]


async def test_t_enables_and_disables_the_selected_job_in_the_users_jobs_yaml(make_app, kinetra_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await open_jobs(pilot, "health")
        assert cells(table, "health")[3] == "no"
        await pilot.press("t")
        await settle(pilot)
        assert load_jobs(kinetra_home)["health"].enabled
        assert cells(table, "health")[3] == "yes" and cells(table, "health")[5] == "2026-11-22 06:30"
        await pilot.press("t")
        await settle(pilot)
    assert not load_jobs(kinetra_home)["health"].enabled
    assert not load_jobs(kinetra_home)["backup"].enabled


async def test_e_rejects_an_invalid_cron_in_the_dialog_and_saves_a_valid_one(make_app, kinetra_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await open_jobs(pilot, "refresh")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleModal)
        assert app.screen.query_one("#cron").value == "0 6 * * *"
        app.screen.query_one("#cron").value = "99 6 * * *"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleModal), "a rejected schedule keeps the dialog open"
        error = str(app.screen.query_one("#schedule-error", Static).content)
        assert "job 'refresh': cron: cron '99 6 * * *' is not a valid crontab" in error
        assert not (kinetra_home / "jobs.yaml").exists()
        app.screen.query_one("#cron").value = "0 22 * * 1-5"
        app.screen.query_one("#timezone").value = "Europe/London"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)
        assert cells(table, "refresh")[2] == "weekdays at 22:00 Europe/London"
        assert load_jobs(kinetra_home)["refresh"].cron == "0 22 * * 1-5"


async def test_e_switches_to_an_interval_and_escape_changes_nothing(make_app, kinetra_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await open_jobs(pilot, "health")
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#cron").value = ""
        app.screen.query_one("#interval").value = "30m"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen) and not (kinetra_home / "jobs.yaml").exists()
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#cron").value = ""
        app.screen.query_one("#interval").value = "30m"
        await pilot.press("enter")
        await settle(pilot)
        assert cells(table, "health")[2] == "every 30 minutes"
    assert load_jobs(kinetra_home)["health"].interval == "30m" and load_jobs(kinetra_home)["health"].cron is None


async def test_p_pauses_and_resumes_an_enabled_job_and_refuses_a_disabled_one(make_app) -> None:
    update_job("health", enabled=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await open_jobs(pilot, "fill")
        await pilot.press("p")
        await settle(pilot)
        assert any("enable it first" in n.message for n in app._notifications)
        table.move_cursor(row=1)  # health
        await pilot.press("p")
        await settle(pilot)
        paused = {j["name"]: j["paused"] for j in overview(app.store)}
        assert paused == {"refresh": False, "health": True, "fill": False, "backup": False, "research": False}
        assert cells(table, "health")[4] == "paused" and cells(table, "health")[5] == ""
        await pilot.press("p")
        await settle(pilot)
        assert not any(j["paused"] for j in overview(app.store))


async def test_enter_on_a_job_shows_its_history_and_enter_again_its_run(make_app) -> None:
    app = make_app()
    last = execute_job(app.store, "backup", poll=0.1)
    assert last["status"] == "succeeded"
    last_started = history(app.store, "backup")[0]["started_at"].replace("T", " ")
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot, "backup")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JobHistoryModal)
        rows = app.screen.query_one("#history", DataTable)
        assert rows.row_count == 1
        started, ended, attempt, trigger, status, run_id, detail = (str(c) for c in rows.get_row_at(0))
        assert (attempt, trigger, status, run_id) == ("1", "manual", "succeeded", last["run_id"])
        assert detail.startswith("backup at ") and started[:10] == last_started[:10]
        full = str(app.screen.query_one("#history-detail", Static).content)
        assert full.startswith("backup try 1 (manual) from ") and "succeeded · backup at " in full
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunDetailModal) and app.screen.record["id"] == last["run_id"]
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)


async def test_r_without_a_daemon_runs_the_job_in_its_own_process(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await open_jobs(pilot, "backup")
        await pilot.press("r")
        deadline = time.monotonic() + 60
        while cells(table, "backup")[6] != "succeeded":
            assert time.monotonic() < deadline, "the backup job did not finish"
            await pilot.pause(0.2)
    assert [h["status"] for h in history(app.store, "backup")] == ["succeeded"]


async def test_capital_d_starts_the_daemon_and_the_banner_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        banner = app.screen.query_one("#daemon-banner", Static)
        assert "daemon not running" in str(banner.content) and banner.has_class("daemon-down")
        await pilot.press("D")
        deadline = time.monotonic() + 60
        try:
            while not banner.has_class("daemon-alive"):
                assert time.monotonic() < deadline, "the daemon did not come up"
                await pilot.pause(0.2)
            assert f"pid {daemon.status(app.store)['pid']}" in str(banner.content)
        finally:
            if (pid := daemon.status(app.store)["pid"]) is not None:
                os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while daemon.status(app.store)["alive"]:
        assert time.monotonic() < deadline, "the daemon did not stop"
        time.sleep(0.2)


async def test_help_on_jobs_lists_the_job_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("#keys", DataTable)
        rows = {tuple(str(c) for c in table.get_row_at(i)[:2]) for i in range(table.row_count)}
        assert {("screen", k) for k in ("r", "p", "t", "e", "D", "x", "enter", "tab")} <= rows


def red_spans(text: Text) -> list[str]:
    return [text.plain[s.start:s.end] for s in text.spans if "red" in str(s.style)]


async def test_home_shows_the_latest_failed_execution_of_a_job_in_red(make_app) -> None:
    app = make_app()
    update_job("refresh", enabled=True)
    update_job("backup", enabled=True)
    record_execution(app.store, "refresh", "failed", datetime(2026, 11, 21, 6, 4), summary="12 new bars in 5 series",
                     error="3 series failed: EURUSD H1, GBPUSD H1, XAUUSD H1")
    record_execution(app.store, "backup", "succeeded", datetime(2026, 11, 21, 3, 1), summary="backup at /b (9 rows)")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = app.screen.query_one("#jobs-line", Static)
        text = line.content
        assert isinstance(text, Text) and line.has_class("jobs-failed")
        assert text.plain.startswith("Jobs: 2 enabled, daemon not running")
        assert red_spans(text) == ["refresh failed 06:04 (3 series failed: EURUSD H1, GBPUSD H1, XAUUSD H1)"]


async def test_home_says_nothing_alarming_when_the_jobs_are_fine(make_app) -> None:
    app = make_app()
    record_execution(app.store, "refresh", "failed", datetime(2026, 11, 20, 6, 4), error="3 series failed: X")
    record_execution(app.store, "refresh", "succeeded", datetime(2026, 11, 21, 6, 4), summary="12 new bars")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = app.screen.query_one("#jobs-line", Static)
        assert not line.has_class("jobs-failed") and not red_spans(line.content)
        assert "failed" not in line.content.plain
