"""TUI fixtures: a demo store seeded once and copied per test, a frozen clock, a fixed store label."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kinetra.clock import FrozenClock
from kinetra.data.demo import seed_demo
from kinetra.data.health.scan import scan_store
from kinetra.store import Store
from tui.app import KinetraApp

FROZEN = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seed-7 demo dataset, built once per session."""
    path = tmp_path_factory.mktemp("demo-template") / "kinetra.duckdb"
    seed_demo(Store(path), seed=7)
    return path


@pytest.fixture
def demo_store(demo_template: Path, kinetra_home: Path) -> Store:
    """A private copy of the demo store in this test's KINETRA_HOME (where run workers look)."""
    for src in demo_template.parent.glob("kinetra.duckdb*"):
        if not src.name.endswith(".lock"):
            shutil.copy(src, kinetra_home / src.name)
    return Store(kinetra_home / "kinetra.duckdb")


@pytest.fixture
def scanned(demo_store: Store) -> Store:
    """The demo store with one health scan taken at the frozen instant."""
    scan_store(demo_store, clock=FrozenClock(FROZEN))
    return demo_store


@pytest.fixture
def make_app(demo_store: Store, monkeypatch: pytest.MonkeyPatch):
    """Build the app over the demo store with a frozen clock and a fixed store label."""
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")

    def build() -> KinetraApp:
        return KinetraApp(store=demo_store, clock=FrozenClock(FROZEN), store_label="~/kinetra/kinetra.duckdb")

    return build


async def settle(pilot) -> None:
    """Let workers finish and the screen repaint, without sleeping on a guess."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def select_row(pilot, table, *cells: str) -> None:
    """Move a table's cursor to the first row starting with `cells`, press Enter and settle."""
    for i in range(table.row_count):
        if tuple(str(c) for c in table.get_row_at(i)[: len(cells)]) == cells:
            table.move_cursor(row=i)
            break
    else:
        raise AssertionError(f"no row {cells}")
    await pilot.press("enter")
    await settle(pilot)


def record_execution(store, job: str, status: str, ended: datetime, summary: str | None = None,
                     error: str | None = None, run_id: str | None = None, attempt: int = 1) -> None:
    """Write one finished scheduled execution (started on the hour) into the job history, as the daemon would."""
    with store.session() as con:
        con.execute("INSERT INTO job_history VALUES (?, ?, ?, 'schedule', ?, ?, ?, ?, ?, ?)",
                    [f"h-{job}-{ended:%m%d%H%M}", job, attempt, run_id, status, ended.replace(minute=0, second=0),
                     ended, summary, error])
