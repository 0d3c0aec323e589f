"""The core never imports a UI layer: checked in a fresh interpreter per module."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import kinetra

FORBIDDEN = ("textual", "typer", "rich", "tui", "commands", "click")


def _core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(kinetra.__path__, "kinetra.") if not m.name.endswith("__main__"))


def test_importing_every_core_module_loads_no_ui_library() -> None:
    modules = _core_modules()
    assert "kinetra.store" in modules and "kinetra.runs" in modules and "kinetra.data.ingest" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
