"""The one way a CLI command runs a long task: as a background run (`--detach`) or in the foreground."""

from __future__ import annotations

from typing import Any

from commands.output import console, emit_json, progress_bar


def run_task(kind: str, params: dict[str, Any], detach: bool, as_json: bool, seed: int | None = None) -> Any:
    """Start a run of `kind`: detached, print its id and return None; else run it with a progress bar."""
    from kinetra import runs
    from kinetra.store import open_store

    store = open_store()
    if detach:
        run_id = runs.start(store, kind, params, seed=seed)
        emit_json({"run_id": run_id}) if as_json else console.print(run_id)
        return None
    with progress_bar(kind, quiet=as_json) as on_progress:
        return runs.run_inline(store, kind, params, seed=seed, on_progress=on_progress)
