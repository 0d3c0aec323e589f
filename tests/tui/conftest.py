"""TUI fixtures: a demo store seeded once and copied per test (also one with finished test runs), a frozen clock."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from filelock import FileLock
from textual.worker import WorkerCancelled

from kinetra import runs
from kinetra.clock import FrozenClock
from kinetra.data.demo import seed_demo
from kinetra.data.health.scan import scan_store
from kinetra.research.suite import parse_suite
from kinetra.runs import records
from kinetra.store import Store
from tui.app import KinetraApp

FROZEN = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seed-7 demo dataset, built once per session."""
    path = tmp_path_factory.mktemp("demo-template") / "kinetra.duckdb"
    seed_demo(Store(path), seed=7)
    return path


def copy_store(template: Path, home: Path) -> Store:
    """Copy a template store's files (not its lock) into `home` and open the copy."""
    for src in template.parent.glob("kinetra.duckdb*"):
        if not src.name.endswith(".lock"):
            shutil.copy(src, home / src.name)
    return Store(home / "kinetra.duckdb")


@pytest.fixture
def demo_store(demo_template: Path, kinetra_home: Path) -> Store:
    """A private copy of the demo store in this test's KINETRA_HOME (where run workers look)."""
    return copy_store(demo_template, kinetra_home)


def tiny_suite(name: str, symbols: list[str], costs: bool = True) -> dict:
    """A suite that runs in seconds: one agent with two configurations, H1 series, three folds, 50 draws."""
    return parse_suite({"name": name, "agents": [{"name": "sma_crossover", "params": {"fast": [10, 20], "slow": 60}}],
                        "series": {"symbols": symbols, "timeframes": ["H1"]}, "costs": costs,
                        "validation": {"scheme": "walk_forward", "folds": 3}, "monte_carlo": {"count": 50}},
                       "tests").to_json()


TESTED_RUNS = (("3f9c2a7b10", tiny_suite("tiny", ["EURUSD", "XAUUSD"]), datetime(2026, 11, 20, 14, 0), 38.2),
               ("8d41e0c6b2", tiny_suite("tiny_nocost", ["EURUSD", "GBPUSD"], costs=False),
                datetime(2026, 11, 21, 8, 15), 21.5))
"""(id, suite, start, seconds taken) of the finished test runs in the tested store, oldest first."""


def run_tested(demo_template: Path, folder: Path) -> Path:
    """Copy the demo store into `folder` and run TESTED_RUNS in it with fixed ids and times; return its path."""
    store = copy_store(demo_template, folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KINETRA_HOME", str(folder))
        ids = iter(run_id for run_id, _, _, _ in TESTED_RUNS)
        mp.setattr(records, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=next(ids))))
        for run_id, suite, started, took in TESTED_RUNS:
            runs.run_inline(store, "test", {"suite": suite}, seed=suite["seed"])
            ended = started + timedelta(seconds=took)
            records.update(store, run_id, created_at=started, started_at=started, ended_at=ended, heartbeat_at=ended)
    return store.path


@pytest.fixture(scope="session")
def tested_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The demo store with two finished test runs, built once per test session (shared by xdist workers)."""
    if worker_id == "master":
        return run_tested(demo_template, tmp_path_factory.mktemp("tested-template"))
    folder = tmp_path_factory.getbasetemp().parent / "tested-template"
    with FileLock(str(folder) + ".lock"):
        if not (folder / "kinetra.duckdb").exists():
            folder.mkdir(exist_ok=True)
            run_tested(demo_template, folder)
    return folder / "kinetra.duckdb"


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
        await wait_for_workers(pilot)
        await pilot.pause()


async def wait_for_workers(pilot, attempts: int = 20) -> None:
    """Wait for the app's workers; one cancelled meanwhile (a periodic refresh replacing a slow one) is no failure."""
    for _ in range(attempts):
        try:
            await pilot.app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await pilot.pause(0.05)


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
