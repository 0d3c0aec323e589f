"""Run kinds used by process tests (registered through KINETRA_RUN_KINDS)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd


def count_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Count to `steps`, sleeping `delay` per step, reporting progress and honouring cancel."""
    steps, delay = int(params.get("steps", 10)), float(params.get("delay", 0.1))
    for i in range(steps):
        ctx.check_cancel()
        ctx.progress(i / steps, f"step {i + 1}/{steps}")
        time.sleep(delay)
    ctx.event("counted")
    return {"counted": steps}


def stuck_in_transaction_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Insert bars inside one transaction and then hang there, to be killed mid-ingest."""
    frame = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=1000, freq="h").as_unit("us")})
    with ctx.store.session() as con:
        con.register("f", frame)
        con.execute("INSERT INTO bars SELECT 999, ts, 1, 1, 1, 1, 1, 0, 0, 0 FROM f")
        Path(params["marker"]).write_text("inside")
        time.sleep(float(params.get("hang", 60)))
    return {}


def failing_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Fail with a bug-like error."""
    raise ZeroDivisionError("boom")
