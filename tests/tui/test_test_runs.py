"""The Test Runs screen (4) as a person drives it: runs, results, evidence, compare, new runs, cancel, resume.

The store holds two finished test runs (conftest TESTED_RUNS): 8d41e0c6b2 (tiny_nocost, newest, listed
first) and 3f9c2a7b10 (tiny). Runs started here go on in their own process and are stopped at the end.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static
from textual_plotext import PlotextPlot

from kinetra import runs
from kinetra.backtest.agent_backtest import backtest_agent
from kinetra.research.results import candidate_detail, candidate_rows, compare_runs
from kinetra.research.suite import load_suite
from kinetra.runs import records
from kinetra.store import Store
from tests.tui.conftest import copy_store, select_row, settle, tiny_suite
from tui.screens.backtest import QuickBacktestScreen
from tui.screens.candidate import CandidateScreen
from tui.screens.compare import CompareScreen
from tui.screens.modals.new_test import NewTestModal
from tui.screens.modals.pick_run import PickRunModal
from tui.screens.tests import TestRunsScreen

SIZE = (120, 36)
NEWEST, OLDEST = "8d41e0c6b2", "3f9c2a7b10"


@pytest.fixture
def demo_store(tested_template: Path, kinetra_home: Path) -> Store:
    """The demo store with the two finished test runs, copied into this test's KINETRA_HOME."""
    return copy_store(tested_template, kinetra_home)


async def open_tests(pilot) -> TestRunsScreen:
    await pilot.press("4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TestRunsScreen)
    return pilot.app.screen


def column(table: DataTable, index: int) -> list[str]:
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def stop(store: Store, run_id: str) -> str:
    """Cancel a run started by a test and wait for its process to end; return its final status."""
    runs.cancel(store, run_id)
    return runs.wait(store, run_id, timeout=90).status


def wait_until_running(store: Store, run_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while runs.get(store, run_id).status != "running":
        assert time.monotonic() < deadline, f"run {run_id} did not start"
        time.sleep(0.1)


def test_test_runs_snapshot(snap_compare, make_app) -> None:
    async def open_screen(pilot) -> None:
        await open_tests(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_screen)


def test_candidate_detail_snapshot(snap_compare, make_app) -> None:
    async def open_candidate(pilot) -> None:
        await open_tests(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_candidate)


async def test_the_list_shows_finished_runs_and_the_selected_runs_results(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tests(pilot)
        runs_table = screen.query_one("#runs", DataTable)
        assert column(runs_table, 0) == [NEWEST, OLDEST]
        assert column(runs_table, 1) == ["tiny_nocost", "tiny"]
        assert column(runs_table, 2) == ["succeeded", "succeeded"] and column(runs_table, 5) == ["21.5s", "38.2s"]
        results = screen.query_one("#results", DataTable)
        assert results.row_count == len(candidate_rows(app.store, NEWEST)) == 6
        runs_table.move_cursor(row=1)
        await settle(pilot)
        assert set(column(results, 1)) == {"EURUSD H1", "XAUUSD H1"}
        caption = str(screen.query_one("#results-caption", Static).content)
        assert caption.startswith(f"{OLDEST} (tiny): 6 candidates, 0 with an edge · by Sharpe ↓")


async def test_s_sorts_the_results_by_the_next_column_and_S_reverses(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tests(pilot)
        rows = {r["candidate"]: r for r in candidate_rows(app.store, NEWEST)}
        results = screen.query_one("#results", DataTable)

        def keyed(key: str) -> list[float]:
            return [rows[str(k.value)][key] for k in results.rows]

        assert keyed("sharpe") == sorted(keyed("sharpe"), reverse=True), "Sharpe, best first, by default"
        await pilot.press("s")
        assert keyed("total_return") == sorted(keyed("total_return"), reverse=True)
        await pilot.press("s", "s")
        assert keyed("max_drawdown") == sorted(keyed("max_drawdown")), "the smallest drawdown first"
        await pilot.press("S")
        assert keyed("max_drawdown") == sorted(keyed("max_drawdown"), reverse=True)
        assert "by max DD ↓ (s, S)" in str(screen.query_one("#results-caption", Static).content)


async def test_enter_on_a_candidate_shows_equity_drawdown_histogram_and_trades(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tests(pilot)
        results = screen.query_one("#results", DataTable)
        results.focus()
        await pilot.press("down")
        name = str(results.coordinate_to_cell_key(results.cursor_coordinate).row_key.value)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CandidateScreen)
        detail = candidate_detail(app.store, NEWEST, name)
        assert app.screen.query_one("#trades", DataTable).row_count == len(detail["trades"]) > 0
        assert name in str(app.screen.query_one("#candidate-head", Static).content)
        charts = {chart.id: chart.plt.build() for chart in app.screen.query(PlotextPlot)}
        assert "equity" in charts["equity"] and "drawdown" in charts["drawdown"]
        assert f"{len(detail['mc'])} block bootstrap draws" in charts["mc-hist"]
        drawn = [any("\u2801" <= ch <= "\u28ff" or ch == "█" for ch in chart) for chart in charts.values()]
        assert all(drawn), "every chart has points (braille) or bars"
        await pilot.press("escape")
        assert isinstance(app.screen, TestRunsScreen)


async def test_c_compares_two_runs_candidate_by_candidate_with_both_verdicts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_tests(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PickRunModal)
        assert column(app.screen.query_one("#pick", DataTable), 0) == [OLDEST]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        table = app.screen.query_one("#compare", DataTable)
        expected = compare_runs(app.store, NEWEST, OLDEST)
        assert table.row_count == len(expected) == 9
        for row in expected:
            cells = [str(c) for c in table.get_row(row["candidate"])]
            assert cells[7] == (row["verdict_a"] or "-")
            assert cells[8].removesuffix(" *") == (row["verdict_b"] or "-")
        only_b = [str(c) for c in table.get_row("sma_crossover(fast=10, slow=60) @ XAUUSD H1")]
        assert only_b[7] == "-" and only_b[8].startswith("no edge") and only_b[8].endswith(" *")


async def test_n_starts_the_quick_preset_as_a_test_run(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tests(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewTestModal)
        assert app.screen.query_one("#preset", Select).value == "quick"
        assert app.screen.query_one("#limit", Input).value == "6"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TestRunsScreen)
        new = [rec for rec in runs.list_runs(app.store, kinds=("test",)) if rec.id not in (NEWEST, OLDEST)]
        assert len(new) == 1
        try:
            assert new[0].params["suite"] == load_suite("quick").to_json() and new[0].seed == 0
            await pilot.pause(1.2)  # the next refresh lists it, under the cursor
            await settle(pilot)
            assert screen._selected() == new[0].id
            assert f"Run {new[0].id} (quick) is" in str(screen.query_one("#results-caption", Static).content)
        finally:
            stop(app.store, new[0].id)


async def test_an_invalid_form_says_which_field_in_one_line_and_starts_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_tests(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#scheme", Select).value = "cpcv"
        app.screen.query_one("#folds", Input).value = "40"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewTestModal), "the dialog stays open"
        error = str(app.screen.query_one("#new-test-error", Static).content)
        assert error.startswith("the form: validation.groups:") and "\n" not in error
        assert any("validation.groups" in n.message for n in app._notifications)
    assert len(runs.list_runs(app.store, kinds=("test",))) == 2


async def test_x_cancels_the_selected_running_test_run(make_app) -> None:
    app = make_app()
    slow = tiny_suite("slow", []) | {"agents": [{"name": "sma_crossover", "params": {"fast": [5, 10, 20, 30],
                                                                                    "slow": [60, 120]}}]}
    run_id = runs.start(app.store, "test", {"suite": slow}, seed=0)
    try:
        wait_until_running(app.store, run_id)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_tests(pilot)
            assert screen._selected() == run_id
            await pilot.press("x")
            await settle(pilot)
        assert runs.wait(app.store, run_id, timeout=90).status == "cancelled"
    finally:
        stop(app.store, run_id)


async def test_R_resumes_a_cancelled_run_and_refuses_a_finished_one(make_app) -> None:
    app = make_app()
    run_id = runs.create(app.store, "test", {"suite": tiny_suite("resumable", ["EURUSD"])}, seed=0)
    records.finish(app.store, run_id, "cancelled", error="cancelled after 0 of 6 jobs")
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_tests(pilot)
            assert screen._selected() == run_id
            assert "R resumes it" in str(screen.query_one("#results-caption", Static).content)
            await pilot.press("R")
            await settle(pilot)
            assert runs.get(app.store, run_id).status in ("queued", "running", "succeeded")
            assert any(f"run {run_id} resumed" in n.message for n in app._notifications)
            screen.query_one("#runs", DataTable).move_cursor(row=1)
            await pilot.press("R")
            await settle(pilot)
            assert any(f"run {NEWEST} is succeeded; only a cancelled or failed run can be resumed" in n.message
                       for n in app._notifications)
    finally:
        stop(app.store, run_id)


async def test_b_on_the_series_view_backtests_that_series_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await select_row(pilot, app.screen.query_one("#series", DataTable), "XAUUSD", "H1")
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, QuickBacktestScreen)
        _, _, expected = backtest_agent(app.store, "sma_crossover", {}, "XAUUSD", "H1")
        status = str(app.screen.query_one("#bt-status", Static).content)
        assert status.startswith("sma_crossover(fast=10, slow=30, allow_short=true") and "on XAUUSD H1 (demo)" in status
        metrics = dict(app.screen.query_one("#bt-metrics", DataTable).get_row_at(i)[:2]
                       for i in range(app.screen.query_one("#bt-metrics", DataTable).row_count))
        assert metrics["trades"] == f"{len(expected.trades):,}"
        assert metrics["final equity"] == f"{expected.metrics['final_equity']:,.2f}"
        app.screen.query_one("#bt-params", Input).value = "fast=ten"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(n.message == "params: fast must be a whole number, not 'ten'" for n in app._notifications)


async def test_b_on_a_candidate_backtests_its_configuration_on_its_series(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tests(pilot)
        screen.query_one("#results", DataTable).focus()
        await pilot.press("s")  # by return, best first
        row = screen._candidate()
        assert row is not None and row["kind"] == "config"
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, QuickBacktestScreen)
        fast = row["params"]["fast"]
        status = str(app.screen.query_one("#bt-status", Static).content)
        assert status.startswith(f"sma_crossover(fast={fast}, slow=60") and f"on {row['series']} (demo)" in status


async def test_help_on_test_runs_says_what_each_key_does(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_tests(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("#keys", DataTable)
        rows = {tuple(str(c) for c in table.get_row_at(i)[1:]) for i in range(table.row_count)}
        assert ("s", "Sort the results by the next column") in rows and ("S", "Reverse the results' sort order") in rows
        assert ("x", "Cancel run") in rows
        assert ("R", "Resume a cancelled or failed run (finished jobs are kept)") in rows
        assert ("click", "A results column header sorts by that column (again: reverses)") in rows
