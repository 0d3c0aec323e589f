"""Entry point of a run's own process: `python -m kinetra.runs.worker RUN_ID`."""

from __future__ import annotations

import sys

from kinetra.runs import execute
from kinetra.store import open_store


def main(argv: list[str]) -> int:
    """Execute one queued run to its end state."""
    if len(argv) != 2:
        print("usage: python -m kinetra.runs.worker RUN_ID", file=sys.stderr)
        return 2
    execute(open_store(), argv[1], in_worker=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
