"""Run the real `kinetra` console script as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

KINETRA = Path(sys.executable).parent / "kinetra"


def kinetra(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `kinetra ARGS` and return the finished process (stdout, stderr, returncode)."""
    return subprocess.run([str(KINETRA), *args], capture_output=True, text=True, timeout=timeout)


def kinetra_json(*args: str) -> Any:
    """Run `kinetra ARGS --json`, require success, return the parsed JSON."""
    out = kinetra(*args, "--json")
    assert out.returncode == 0, f"kinetra {' '.join(args)} exited {out.returncode}\nstderr: {out.stderr}\nstdout: {out.stdout[-2000:]}"
    return json.loads(out.stdout)
