"""A MetaAPI symbol specification (MetatraderSymbolSpecification, plus the quote's tick values) as SymbolSpec keys.

Only fields whose meaning Kinetra can carry exactly are taken; the rest stay with the shipped or the
user's specs and are named in the notes. Money is the account currency, taken to be USD (as in
`kinetra.backtest.spec`). MetaAPI's specification has no commission and no typical spread.
"""

from __future__ import annotations

import math
from typing import Any

from kinetra.data.sources import BrokerSpec

ACCOUNT_CURRENCY = "USD"
#: The fields read from the specification and from the symbol's price; nothing else is kept.
SPEC_FIELDS = ("symbol", "description", "digits", "point", "tickSize", "contractSize", "baseCurrency",
               "profitCurrency", "marginCurrency", "swapMode", "swapLong", "swapShort", "swapRollover3Days")
PRICE_FIELDS = ("profitTickValue", "lossTickValue")
_DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
_SWAP_MODES = {"SYMBOL_SWAP_MODE_POINTS": "points", "SYMBOL_SWAP_MODE_CURRENCY_DEPOSIT": "money",
               "SYMBOL_SWAP_MODE_INTEREST_CURRENT": "interest", "SYMBOL_SWAP_MODE_INTEREST_OPEN": "interest"}
_SWAP_CURRENCY = {"SYMBOL_SWAP_MODE_CURRENCY_SYMBOL": "baseCurrency",
                  "SYMBOL_SWAP_MODE_CURRENCY_MARGIN": "marginCurrency"}


def raw_fields(spec: dict[str, Any], price: dict[str, Any] | None) -> dict[str, Any]:
    """The whitelisted fields of a specification and a price, JSON-ready (dates and unknown keys dropped)."""
    picked = {k: spec.get(k) for k in SPEC_FIELDS} | {k: (price or {}).get(k) for k in PRICE_FIELDS}
    return {k: v for k, v in picked.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def _positive(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) and value > 0 else None


def _grid(raw: dict[str, Any], values: dict[str, Any], notes: list[str]) -> None:
    """digits, point and contract size."""
    digits = raw.get("digits")
    if isinstance(digits, int | float) and float(digits).is_integer() and 0 <= digits <= 10:
        values["digits"] = int(digits)
    if (point := _positive(raw, "point")) is not None:
        values["point"] = point
    if (size := _positive(raw, "contractSize")) is not None:
        values["contract_size"] = size
    for key, name in (("digits", "digits"), ("point", "point"), ("contract_size", "contractSize")):
        if key not in values:
            notes.append(f"{name} missing or invalid ({raw.get(name)!r})")


def _tick_value(raw: dict[str, Any], values: dict[str, Any], notes: list[str]) -> None:
    """Money per point per lot: the quote's profit tick value per tick size, else contract x point in USD."""
    point, tick, per_tick = values.get("point"), _positive(raw, "tickSize"), _positive(raw, "profitTickValue")
    if point and tick and per_tick:
        values["tick_value"] = per_tick * point / tick
    elif point and "contract_size" in values and raw.get("profitCurrency") == ACCOUNT_CURRENCY:
        values["tick_value"] = values["contract_size"] * point
    else:
        notes.append(f"tick value unknown without a quote (profit currency {raw.get('profitCurrency')!r})")


def _swaps(raw: dict[str, Any], values: dict[str, Any], notes: list[str]) -> None:
    """Swap mode, long and short swaps, and the triple-swap day."""
    mode = str(raw.get("swapMode", ""))
    day = str(raw.get("swapRollover3Days", "")).upper()
    if day in _DAYS or day == "NONE":
        values["triple_swap_day"] = day.lower()
    if mode == "SYMBOL_SWAP_MODE_DISABLED":
        values.update(swap_mode="points", swap_long=0.0, swap_short=0.0)
        return
    unit = _SWAP_MODES.get(mode)
    if mode in _SWAP_CURRENCY and raw.get(_SWAP_CURRENCY[mode]) == ACCOUNT_CURRENCY:
        unit = "money"
    long_, short = raw.get("swapLong"), raw.get("swapShort")
    if unit is None or not all(isinstance(x, int | float) and math.isfinite(x) for x in (long_, short)):
        notes.append(f"swaps not taken (mode {mode or 'missing'})")
        return
    values.update(swap_mode=unit, swap_long=float(long_), swap_short=float(short))


def from_metaapi(spec: dict[str, Any], price: dict[str, Any] | None = None) -> BrokerSpec:
    """Map a MetatraderSymbolSpecification (and optionally the symbol's price) onto SymbolSpec keys."""
    raw = raw_fields(spec, price)
    values: dict[str, Any] = {}
    notes: list[str] = []
    _grid(raw, values, notes)
    _tick_value(raw, values, notes)
    _swaps(raw, values, notes)
    return BrokerSpec(values=values, raw=raw, notes=notes)
