"""Symbol specifications: price grid, contract, money per point, commission, swap and typical spread.

Three layers, each merged over the one below, field by field: the shipped `configs/symbols.toml`
(asset-class defaults, then per-symbol keys), the broker's own specification stored by a MetaAPI
download (`kinetra.data.broker_specs`), and a person's `$KINETRA_HOME/symbols.toml` (class defaults,
then symbols), which always wins. A spec's `origin` names the fields the broker or the user set.
Money is the account currency (USD assumed); the tick value is constant, so for a cross such as
EURJPY it is a typical value (or the broker's at download time), not re-priced per bar.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kinetra.config import ASSET_CLASSES, deep_merge, read_toml
from kinetra.data.symbols import base_symbol
from kinetra.errors import ConfigError
from kinetra.paths import kinetra_home, shipped_configs_dir

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SWAP_MODES = ("points", "money", "interest")


class SymbolSpec(BaseModel):
    """How one symbol trades and what it costs; frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    digits: int = Field(5, ge=0, le=10)
    """Decimal places of the price."""
    point: float = Field(0.0, ge=0)
    """Smallest price step; 0 means 10 ** -digits."""
    contract_size: float = Field(100_000.0, gt=0)
    """Units of the underlying in one lot (shown for reference; money comes from tick_value)."""
    tick_value: float = Field(1.0, gt=0)
    """Account money gained or lost per point of price move for one lot."""
    commission_per_lot: float = Field(0.0, ge=0)
    """Money per lot charged on each side (entry and exit)."""
    commission_pct: float = Field(0.0, ge=0)
    """Percent of the filled notional charged on each side."""
    swap_long: float = 0.0
    """Swap credited per lot per night to a long; negative is a charge (MT5 sign)."""
    swap_short: float = 0.0
    """Swap credited per lot per night to a short; negative is a charge."""
    swap_mode: Literal["points", "money", "interest"] = "points"
    """Unit of swap_long/short: points, money per lot, or annual percent of notional (/360 per night)."""
    triple_swap_day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "none"] = "wednesday"
    """Broker day whose closing rollover charges three nights (covers the weekend), or none."""
    swap_weekends: bool = False
    """Charge rollovers that end a Saturday or Sunday (7-day markets such as crypto)."""
    rollover_hour_utc: int = Field(22, ge=0, le=23)
    """UTC hour of the broker's 00:00 rollover (22 for a UTC+2 server)."""
    spread_points: float = Field(10.0, ge=0)
    """Typical spread in points, used where the bars carry no spread (absent or 0)."""
    slippage_points: float = Field(0.0, ge=0)
    """Adverse slippage in points on every fill."""
    slippage_spread_fraction: float = Field(0.0, ge=0)
    """Extra adverse slippage on every fill as a fraction of that bar's spread."""
    origin: dict[str, Literal["broker", "user"]] = Field(default_factory=dict)
    """Fields set by the broker's downloaded specification or the user's symbols.toml; the rest are shipped."""

    @model_validator(mode="after")
    def _fill_point(self) -> SymbolSpec:
        if self.point == 0.0:
            object.__setattr__(self, "point", 10.0 ** -self.digits)
        return self

    @property
    def value_per_price(self) -> float:
        """Money per 1.0 of price move for one lot (tick_value / point)."""
        return self.tick_value / self.point

    @property
    def swap_mode_code(self) -> int:
        """Swap mode as the engine's integer code (index into SWAP_MODES)."""
        return SWAP_MODES.index(self.swap_mode)

    @property
    def layers(self) -> str:
        """The layers behind this spec, highest precedence first: `user > broker > shipped` at most."""
        present = set(self.origin.values())
        return " > ".join([layer for layer in ("user", "broker") if layer in present] + ["shipped"])


def user_symbols_path() -> Path:
    """Return the user's override file `$KINETRA_HOME/symbols.toml`."""
    return kinetra_home() / "symbols.toml"


def _check_tables(data: dict[str, Any]) -> None:
    unknown = set(data) - {"defaults", "symbols"}
    if unknown:
        raise ConfigError(f"invalid symbols.toml {sorted(unknown)[0]}: unknown key (use [defaults.CLASS] or [symbols.NAME])")
    for klass in data.get("defaults", {}):
        if klass not in ASSET_CLASSES:
            raise ConfigError(f"invalid symbols.toml defaults.{klass}: unknown asset class (one of {', '.join(ASSET_CLASSES)})")


def _validate(where: str, values: dict[str, Any]) -> SymbolSpec:
    if "origin" in values:  # set by spec_for, never by a file
        raise ConfigError(f"invalid symbols.toml {where}.origin: unknown key")
    try:
        return SymbolSpec.model_validate(values)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(f"invalid symbols.toml {where}.{field}: {msg}") from None


@functools.cache
def _load(path: Path, mtime: float) -> dict[str, Any]:
    data = read_toml(path)
    _check_tables(data)
    for klass, values in data.get("defaults", {}).items():
        _validate(f"defaults.{klass}", values)
    for name, values in data.get("symbols", {}).items():
        _validate(f"symbols.{name}", values)
    return data


def _table(path: Path) -> dict[str, Any]:
    """One symbols.toml, validated (cached until the file changes); a missing file is empty."""
    return _load(path, path.stat().st_mtime if path.exists() else 0.0)


def load_symbol_table() -> dict[str, Any]:
    """Return shipped + user symbol settings, validated; a bad value raises ConfigError naming it."""
    return deep_merge(_table(shipped_configs_dir() / "symbols.toml"), _table(user_symbols_path()))


def _entry(table: dict[str, Any], symbol: str, asset_class: str) -> dict[str, Any]:
    """A table's keys for one symbol: its own entry (exact name, else without broker suffix) over its class."""
    symbols = {k.upper(): v for k, v in table.get("symbols", {}).items()}
    own = symbols.get(symbol.upper(), symbols.get(base_symbol(symbol), {}))
    return deep_merge(table.get("defaults", {}).get(asset_class, {}), own)


def spec_for(symbol: str, asset_class: str, broker: dict[str, Any] | None = None) -> SymbolSpec:
    """Resolve a symbol's spec: shipped keys, then the broker's downloaded ones, then the user's file.

    `broker` holds SymbolSpec keys from the broker's own specification (see kinetra.data.broker_specs).
    """
    if asset_class not in ASSET_CLASSES:
        raise ConfigError(f"unknown asset class {asset_class!r} (one of {', '.join(ASSET_CLASSES)})")
    shipped = _entry(_table(shipped_configs_dir() / "symbols.toml"), symbol, asset_class)
    user = _entry(_table(user_symbols_path()), symbol, asset_class)
    broker = {k: v for k, v in (broker or {}).items() if k in SymbolSpec.model_fields and k != "origin"}
    spec = _validate(f"symbols.{symbol}", shipped | broker | user)
    return spec.model_copy(update={"origin": {key: "broker" for key in broker} | {key: "user" for key in user}})
