"""Every test gets its own KINETRA_HOME; nothing touches the user's real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinetra.store import Store

TASKS = ("count=tests.support.tasks:count_task,stuck=tests.support.tasks:stuck_in_transaction_task,"
         "failing=tests.support.tasks:failing_task")


@pytest.fixture(autouse=True)
def kinetra_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point KINETRA_HOME at a fresh temp dir and register the test run kinds."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("KINETRA_HOME", str(home))
    monkeypatch.setenv("KINETRA_RUN_KINDS", TASKS)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    for var in ("KINETRA_PROFILE", "KINETRA_DEFAULT_BROKER"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def store(kinetra_home: Path) -> Store:
    """A fresh store in the test's home."""
    return Store(kinetra_home / "kinetra.duckdb")
