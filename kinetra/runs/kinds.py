"""Registry of run kinds: name -> "module:function" of the task, imported only when a run starts."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kinetra.errors import KinetraError

if TYPE_CHECKING:
    from kinetra.runs.context import RunContext

Task = Callable[[dict[str, Any], "RunContext"], dict[str, Any]]

KINDS: dict[str, str] = {
    "import": "kinetra.data.ingest:import_task",
    "demo": "kinetra.data.demo:demo_task",
    "health": "kinetra.data.health.scan:health_task",
    "download": "kinetra.data.download:download_task",
    "fill": "kinetra.data.gapfill:fill_task",
    "backup": "kinetra.store.backup:backup_task",
    "test": "kinetra.research.suite_run:test_task",
}


RESUMABLE = frozenset({"test"})
"""Kinds whose task skips the work a previous attempt of the same run finished, so a run can be resumed."""


def registered() -> dict[str, str]:
    """Return built-in kinds plus plugins named in KINETRA_RUN_KINDS ("kind=module:function,...")."""
    extra = {}
    for item in filter(None, os.environ.get("KINETRA_RUN_KINDS", "").split(",")):
        kind, _, target = item.partition("=")
        extra[kind.strip()] = target.strip()
    return KINDS | extra


def resolve(kind: str) -> Task:
    """Return the task function of a run kind."""
    kinds = registered()
    if kind not in kinds:
        raise KinetraError(f"unknown run kind {kind!r} (known: {', '.join(kinds)})")
    module, _, name = kinds[kind].partition(":")
    return getattr(importlib.import_module(module), name)
