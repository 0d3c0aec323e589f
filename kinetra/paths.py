"""Where Kinetra keeps its files: KINETRA_HOME or the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: Repository root when running from a source checkout (editable install).
REPO_ROOT = Path(__file__).resolve().parent.parent


def kinetra_home() -> Path:
    """Return the data home, creating it; KINETRA_HOME wins over the platform default."""
    raw = os.environ.get("KINETRA_HOME")
    home = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("kinetra", appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    return home


def shipped_configs_dir() -> Path:
    """Return the folder of shipped default configs (`configs/` beside the packages)."""
    return Path(os.environ.get("KINETRA_CONFIGS", REPO_ROOT / "configs"))


def store_path(home: Path | None = None) -> Path:
    """Return the DuckDB file of a home."""
    return (home or kinetra_home()) / "kinetra.duckdb"


def runs_dir(home: Path | None = None) -> Path:
    """Return the folder holding run logs, creating it."""
    path = (home or kinetra_home()) / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path
