"""The new-test-run form as plain data: a suite's values as field texts, and field texts back into suite data.

The core validates the result (`parse_suite`), so a bad field comes back as a one-line error naming it.
"""

from __future__ import annotations

import copy
from typing import Any

SCHEMES = (("walk-forward, rolling", "rolling"), ("walk-forward, anchored", "anchored"), ("CPCV (purged)", "cpcv"))
FIELDS = (("symbols", "symbols"), ("classes", "asset classes"), ("timeframes", "timeframes"), ("limit", "max series"),
          ("folds", "folds/groups"), ("draws", "MC draws"))
"""(field id, label) of the text fields, in form order."""


def _text(values: list[str] | None) -> str:
    return ", ".join(values or [])


def _blank(value: Any) -> str:
    return "" if value is None else str(value)


def form_values(suite: dict[str, Any]) -> dict[str, Any]:
    """The form's fields for a suite (as `Suite.to_json()` gives it): ticked agents and field texts."""
    series, v = suite["series"], suite["validation"]
    cpcv = v["scheme"] == "cpcv"
    return {"agents": [grid["name"] for grid in suite["agents"]], "symbols": _text(series["symbols"]),
            "classes": _text(series["asset_classes"]), "timeframes": _text(series["timeframes"]),
            "limit": _blank(series["limit"]), "scheme": "cpcv" if cpcv else v["mode"],
            "folds": _blank(v["groups"] if cpcv else v["folds"]), "draws": _blank(suite["monte_carlo"]["count"])}


def _words(text: str, upper: bool) -> list[str]:
    return [w.upper() if upper else w.lower() for w in text.replace(",", " ").split()]


def _number(text: str) -> int | str | None:
    """A whole number as int, an empty field as None, anything else as typed (the core names the field)."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _validation(preset: dict[str, Any], scheme: str, folds: int | str | None) -> dict[str, Any]:
    """The validation block: the preset's, with the scheme, mode and fold or group count of the form."""
    if scheme == "cpcv":
        base = preset if preset["scheme"] == "cpcv" else {"scheme": "cpcv"}
        return {**base, "groups": base.get("groups", 6) if folds is None else folds}
    base = preset if preset["scheme"] == "walk_forward" else {"scheme": "walk_forward"}
    return {**base, "mode": scheme, "folds": folds}


def suite_data(preset: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The suite the form describes: the preset with the form's agents, series, scheme and draws.

    A ticked agent keeps the preset's parameter grid (new ones run with their defaults). A suite that
    differs from its preset is named `<preset>_custom`, so the runs list tells them apart.
    """
    grids = {grid["name"]: grid for grid in preset["agents"]}
    data = copy.deepcopy(preset)
    data["agents"] = [grids.get(name, {"name": name, "params": {}}) for name in values["agents"]]
    data["series"] = {**preset["series"], "symbols": _words(values["symbols"], True),
                      "asset_classes": _words(values["classes"], False),
                      "timeframes": _words(values["timeframes"], True), "limit": _number(values["limit"])}
    data["validation"] = _validation(preset["validation"], values["scheme"], _number(values["folds"]))
    data["monte_carlo"] = {**preset["monte_carlo"], "count": _number(values["draws"])}
    if data != preset:
        data["name"] = f"{preset['name']}_custom"
    return data
