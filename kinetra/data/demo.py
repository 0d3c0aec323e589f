"""Seed the store with the synthetic demo dataset, marked as demo data."""

from __future__ import annotations

from typing import Any

from kinetra.data.bars_frame import PreparedSeries, store_frame
from kinetra.data.writer import summarize, write_series
from kinetra.data.synthetic import SyntheticSeries, demo_dataset

DEMO_BROKER = "demo"


def _prepared(series: SyntheticSeries, seed: int) -> PreparedSeries:
    return PreparedSeries(
        broker=DEMO_BROKER, symbol=series.symbol, timeframe=series.timeframe, asset_class=series.asset_class,
        source="synthetic", origin=f"synthetic seed {seed}", frame=store_frame(series.bars), is_demo=True,
    )


def seed_demo(store: Any, seed: int = 7, on_progress: Any = None, run_id: str | None = None) -> dict[str, Any]:
    """Generate the demo dataset for `seed` and write it in one transaction (idempotent)."""
    report = on_progress or (lambda f, m: None)
    report(0.0, "generating demo markets")
    items = [_prepared(s, seed) for s in demo_dataset(seed=seed)]
    report(0.6, f"writing {sum(len(i.frame) for i in items):,} demo bars")
    result = summarize(write_series(store, items, run_id))
    report(1.0, "done")
    return result


def store_is_empty(store: Any) -> bool:
    """Tell whether the store holds no series at all."""
    with store.session() as con:
        return con.execute("SELECT count(*) FROM series").fetchall()[0][0] == 0


def demo_task(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Run kind `demo`: seed the demo dataset with progress."""
    return seed_demo(ctx.store, seed=int(params.get("seed", 7)), on_progress=ctx.progress, run_id=ctx.run_id)
