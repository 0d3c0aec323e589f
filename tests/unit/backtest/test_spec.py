"""Symbol specs: shipped defaults, symbol over asset class, user overrides, errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinetra.backtest import SymbolSpec, spec_for
from kinetra.data.symbols import infer_asset_class
from kinetra.errors import ConfigError

DEMO = ("EURUSD", "GBPUSD", "XAUUSD", "US500", "UKOUSD", "BTCUSD")
SHARED = ("BTCUSD", "EURJPY+", "GBPUSD+", "NAS100", "UKOUSD", "XAUUSD+")


@pytest.mark.parametrize("symbol", sorted(set(DEMO + SHARED)))
def test_every_demo_and_shared_symbol_has_a_spec_of_its_own(symbol: str) -> None:
    spec = spec_for(symbol, infer_asset_class(symbol))
    assert spec.point == pytest.approx(10.0 ** -spec.digits) and spec.value_per_price > 0


def test_a_symbol_entry_overrides_its_asset_class_default() -> None:
    eurjpy, fx = spec_for("EURJPY+", "forex"), spec_for("AUDCAD", "forex")
    assert (eurjpy.digits, eurjpy.point, eurjpy.tick_value) == (3, pytest.approx(0.001), 0.67)
    assert (fx.digits, fx.commission_per_lot, fx.triple_swap_day) == (5, 3.5, "wednesday")
    assert eurjpy.commission_per_lot == fx.commission_per_lot  # inherited from [defaults.forex]
    assert spec_for("EURUSD.a", "forex").spread_points == 8  # broker suffix falls back to the base symbol
    assert spec_for("BTCUSD", "crypto").swap_weekends and spec_for("BTCUSD", "crypto").triple_swap_day == "none"


def test_user_overrides_merge_over_the_shipped_file(kinetra_home: Path) -> None:
    (kinetra_home / "symbols.toml").write_text('[symbols.EURUSD]\nspread_points = 3\n[defaults.metals]\ncommission_per_lot = 0\n')
    assert spec_for("EURUSD", "forex").spread_points == 3
    assert spec_for("EURUSD", "forex").swap_long == -9.5
    assert spec_for("XAUUSD", "metals").commission_per_lot == 0


@pytest.mark.parametrize(("text", "message"), [
    ("[symbols.EURUSD]\ndigits = -1\n", "symbols.EURUSD.digits"),
    ("[symbols.EURUSD]\ntick_valu = 1\n", "symbols.EURUSD.tick_valu: unknown key"),
    ("[defaults.forex]\ntriple_swap_day = 'caturday'\n", "defaults.forex.triple_swap_day"),
    ("[defaults.bonds]\ndigits = 2\n", "defaults.bonds: unknown asset class"),
    ("[symbolz.X]\n", "symbolz: unknown key"),
    ("[symbols.EURUSD\n", "not valid TOML"),
])
def test_an_invalid_user_value_is_a_config_error_naming_the_field(kinetra_home: Path, text: str, message: str) -> None:
    (kinetra_home / "symbols.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        spec_for("EURUSD", "forex")
    assert message in str(err.value)


def test_a_spec_is_frozen_and_strict() -> None:
    spec = SymbolSpec(digits=2)
    with pytest.raises(ValueError):
        spec.digits = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        SymbolSpec(spred=1)  # type: ignore[call-arg]
    assert spec.point == pytest.approx(0.01) and SymbolSpec(digits=2, point=0.05).point == 0.05


BROKER = {"digits": 5, "point": 0.00001, "contract_size": 10000.0, "tick_value": 0.1, "swap_long": -10.53,
          "swap_short": 4.98, "swap_mode": "points", "triple_swap_day": "friday"}


def test_a_downloaded_broker_spec_beats_the_shipped_one_and_says_so() -> None:
    spec = spec_for("EURUSD", "forex", BROKER)
    assert (spec.contract_size, spec.tick_value, spec.swap_long, spec.triple_swap_day) == (10000, 0.1, -10.53, "friday")
    assert spec.commission_per_lot == 3.5 and spec.spread_points == 8  # the broker does not say: shipped
    assert spec.origin == {key: "broker" for key in BROKER} and spec.layers == "broker > shipped"
    assert spec_for("EURUSD", "forex").origin == {} and spec_for("EURUSD", "forex").layers == "shipped"


def test_the_users_file_beats_the_broker_spec(kinetra_home: Path) -> None:
    (kinetra_home / "symbols.toml").write_text('[symbols.EURUSD]\nswap_long = -1.0\n[defaults.forex]\ntick_value = 0.2\n')
    spec = spec_for("EURUSD", "forex", BROKER)
    assert (spec.swap_long, spec.tick_value, spec.swap_short) == (-1.0, 0.2, 4.98)
    assert spec.origin["swap_long"] == spec.origin["tick_value"] == "user" and spec.origin["swap_short"] == "broker"
    assert spec.layers == "user > broker > shipped"


def test_origin_is_not_a_key_a_file_may_set(kinetra_home: Path) -> None:
    (kinetra_home / "symbols.toml").write_text('[symbols.EURUSD]\norigin = "broker"\n')
    with pytest.raises(ConfigError, match="symbols.EURUSD.origin: unknown key"):
        spec_for("EURUSD", "forex")
