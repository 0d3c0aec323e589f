"""How health looks: coloured scores, issue summaries and the week's occupancy heat map."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHADES = " ░▒▓█"


def score_text(score: float) -> Text:
    """Score coloured green (>= 95), yellow (>= 80) or red."""
    style = "bold green" if score >= 95 else "bold yellow" if score >= 80 else "bold red"
    return Text(f"{score:5.1f}", style=style)


def issue_summary(report: dict[str, Any]) -> str:
    """Issue counts by kind, e.g. `spike 1, zero_spread 3`."""
    kinds: dict[str, int] = {}
    for issue in report["issues"]:
        kinds[issue["kind"]] = kinds.get(issue["kind"], 0) + 1
    return ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "-"


def heat_map(occupancy: list[float]) -> Text:
    """Hour-of-week occupancy (Mon..Sun x 00..23 UTC) as shaded cells; finer slots fold into hours."""
    hours = np.asarray(occupancy, dtype=float).reshape(168, -1).mean(axis=1).reshape(7, 24)
    out = Text("     " + "".join(f"{h:<3d}" if h % 3 == 0 else "" for h in range(24)) + "\n", style="dim")
    for day, row in zip(DAYS, hours, strict=True):
        out.append(f"{day}  ")
        for value in row:
            shade = SHADES[min(len(SHADES) - 1, int(round(value * (len(SHADES) - 1))))]
            out.append(shade, style="green" if value >= 0.9 else "yellow" if value > 0.1 else "grey35")
        out.append("\n")
    return out
