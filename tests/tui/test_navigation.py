"""The TUI as a person drives it: screens by key, help, filter, sort, series view, import, cancel."""

from __future__ import annotations

import time
from pathlib import Path

from textual.coordinate import Coordinate
from textual.widgets import DataTable

from kinetra import runs
from kinetra.data.inventory import load_bars
from tests.support.mt5 import make_bars, write_mt5
from tests.tui.conftest import select_row, settle
from tui.messages import BarsLoaded
from tui.screens.data import DataScreen
from tui.screens.series import SeriesScreen

SIZE = (120, 36)


async def test_number_keys_switch_screens_and_q_quits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "home"
        for key, mode in zip("2345671", ("data", "health", "tests", "training", "live", "jobs", "home"), strict=True):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            assert app.screen.query_one("#profile").render().plain == "RESEARCH"
        await pilot.press("q")
    assert app.return_code == 0


async def test_help_lists_every_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("#keys", DataTable)
        rows = {tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)}
        for row in [("screen", "/", "Filter"), ("screen", "s", "Sort"), ("screen", "i", "Import"), ("screen", "d", "Download"),
                    ("app", "1", "Home"), ("app", "7", "Jobs"), ("app", "q", "Quit"),
                    ("screen", "enter", "Open the selected series")]:
            assert row in rows
        await pilot.press("escape")
        assert isinstance(app.screen, DataScreen)


async def test_filter_narrows_and_sort_reorders(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#series", DataTable)
        assert table.row_count == 13
        await pilot.press("slash", "e", "u", "r")
        await settle(pilot)
        assert table.row_count == 3
        assert {str(table.get_row_at(i)[0]) for i in range(3)} == {"EURUSD"}
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 13
        first_by_symbol = str(table.get_row_at(0)[0])
        await pilot.press("s", "s", "s")  # timeframe, asset class, bars (most first)
        await settle(pilot)
        assert first_by_symbol == "BTCUSD"
        assert (str(table.get_row_at(0)[0]), str(table.get_row_at(0)[1])) == ("EURUSD", "M15")


def fitted(table: DataTable) -> bool:
    """Whether every column is exactly as wide as its widest cell or label."""
    return all(col.get_render_width(table) - 2 * table.cell_padding
               == max(len(str(col.label)), *(len(str(table.get_cell_at(Coordinate(r, c)))) for r in range(table.row_count)))
               for c, col in enumerate(table.ordered_columns))


async def test_enter_opens_the_series_with_its_latest_bars(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SeriesScreen)
        assert (app.screen.series.symbol, app.screen.series.timeframe) == ("BTCUSD", "H1")
        bars = app.screen.query_one("#bars", DataTable)
        assert bars.row_count == 50
        assert str(bars.get_row_at(0)[0]) == "2026-11-20 20:00"
        assert fitted(bars)
        wider = load_bars(app.store, app.screen.series.id, limit=500, latest=True)
        wider[["open", "high", "low", "close"]] *= 1000
        app.screen.show(BarsLoaded(wider))
        assert fitted(bars)  # at once: not left to the table's next idle, which may never come
        await pilot.press("escape")
        assert isinstance(app.screen, DataScreen)


async def test_import_from_the_data_screen_runs_in_the_background(make_app, tmp_path: Path) -> None:
    path = write_mt5(tmp_path / "TESTSYM_H1_202401020000_202401030500.csv", make_bars(30))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.click("#path")
        app.screen.query_one("#path").value = str(path)
        await pilot.press("enter")
        deadline = time.monotonic() + 60
        table = app.screen.query_one("#series", DataTable)
        while table.row_count != 14:
            assert time.monotonic() < deadline, "import did not finish"
            await pilot.pause(0.2)
        assert "TESTSYM" in {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
    [rec] = runs.list_runs(app.store, kinds=("import",))
    assert rec.status == "succeeded" and rec.result["totals"]["added"] == 30


async def test_x_on_the_jobs_screen_cancels_a_running_run(make_app) -> None:
    app = make_app()
    run_id = runs.start(app.store, "count", {"steps": 600, "delay": 0.05})
    deadline = time.monotonic() + 30
    while runs.get(app.store, run_id).status != "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        table = app.screen.query_one("#runs", DataTable)
        assert table.row_count == 1
        await pilot.press("x")
        await settle(pilot)
    assert runs.wait(app.store, run_id, timeout=30).status == "cancelled"


async def test_r_on_health_scans_every_series_as_a_run_and_enter_drills_in(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#health", DataTable)
        assert table.row_count == 0
        await pilot.press("r")
        deadline = time.monotonic() + 60
        while table.row_count != 13:
            assert time.monotonic() < deadline, "health scan did not finish"
            await pilot.pause(0.2)
        assert str(table.get_row_at(0)[0]) == "GBPUSD"  # the H4 spike costs the most
        await select_row(pilot, table, "XAUUSD", "H1")
        await settle(pilot)
        gaps = app.screen.query_one("#gaps", DataTable)
        assert gaps.row_count == 1 and str(gaps.get_row_at(0)[2]) == "5"
        await pilot.press("enter")
        await settle(pilot)
        context = app.screen.query_one("#context", DataTable)
        times = [str(context.get_row_at(i)[0]) for i in range(context.row_count)]
        assert "2025-11-26 08:00" in times and "2025-11-26 14:00" in times and "2025-11-26 10:00" not in times
    assert [r.kind for r in runs.list_runs(app.store)] == ["health"]
