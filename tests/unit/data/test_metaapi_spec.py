"""A MetaAPI symbol specification mapped onto SymbolSpec keys: what is taken, what is left and why."""

from __future__ import annotations

import pytest

from kinetra.backtest import SymbolSpec
from kinetra.data.sources.metaapi_spec import from_metaapi
from tests.support import fake_metaapi

EURUSD = fake_metaapi.EURUSD_SPEC | {"contractSize": 100000, "swapRollover3Days": "WEDNESDAY"}  # a standard lot


def test_a_usd_quoted_pair_maps_every_field_it_can() -> None:
    spec = from_metaapi(EURUSD)
    assert spec.values == {"digits": 5, "point": 0.00001, "contract_size": 100000.0, "tick_value": pytest.approx(1.0),
                           "triple_swap_day": "wednesday", "swap_mode": "points", "swap_long": -10.53,
                           "swap_short": 4.98}
    assert spec.notes == [] and "tradeSessions" not in spec.raw and spec.raw["swapLong"] == -10.53
    SymbolSpec(**spec.values)  # every key is a valid SymbolSpec field


def test_the_quotes_tick_value_wins_and_a_cross_without_a_quote_leaves_it_to_the_shipped_spec() -> None:
    eurjpy = EURUSD | {"symbol": "EURJPY", "digits": 3, "point": 0.001, "tickSize": 0.001, "profitCurrency": "JPY"}
    quoted = from_metaapi(eurjpy, {"bid": 162.1, "ask": 162.12, "profitTickValue": 0.66, "lossTickValue": 0.66})
    assert quoted.values["tick_value"] == pytest.approx(0.66) and quoted.raw["profitTickValue"] == 0.66
    assert quoted.values["tick_value"] == pytest.approx(
        from_metaapi(eurjpy | {"tickSize": 0.005}, {"profitTickValue": 3.3}).values["tick_value"])  # per point
    bare = from_metaapi(eurjpy)
    assert "tick_value" not in bare.values and "profit currency 'JPY'" in bare.notes[0]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"swapMode": "SYMBOL_SWAP_MODE_CURRENCY_DEPOSIT"}, "money"),
    ({"swapMode": "SYMBOL_SWAP_MODE_INTEREST_OPEN"}, "interest"),
    ({"swapMode": "SYMBOL_SWAP_MODE_INTEREST_CURRENT"}, "interest"),
    ({"swapMode": "SYMBOL_SWAP_MODE_CURRENCY_MARGIN", "marginCurrency": "USD"}, "money"),
    ({"swapMode": "SYMBOL_SWAP_MODE_CURRENCY_SYMBOL"}, None),  # swaps in EUR: not account money
    ({"swapMode": "SYMBOL_SWAP_MODE_REOPEN_BID"}, None),
    ({"swapLong": None}, None),
])
def test_swap_modes_are_taken_only_when_kinetra_can_charge_them_exactly(fields: dict, expected: str | None) -> None:
    spec = from_metaapi(EURUSD | fields)
    assert spec.values.get("swap_mode") == expected
    assert ("swap_long" in spec.values) == (expected is not None)
    assert (expected is None) == any(n.startswith("swaps not taken") for n in spec.notes)


def test_disabled_swaps_are_zero_and_the_triple_day_can_be_none() -> None:
    spec = from_metaapi(EURUSD | {"swapMode": "SYMBOL_SWAP_MODE_DISABLED", "swapRollover3Days": "NONE"})
    assert (spec.values["swap_long"], spec.values["swap_short"], spec.values["triple_swap_day"]) == (0.0, 0.0, "none")


def test_missing_or_invalid_grid_fields_are_left_out_and_named() -> None:
    spec = from_metaapi({"symbol": "ODD", "digits": 12, "point": 0, "contractSize": -1, "swapMode": "x"})
    assert not {"digits", "point", "contract_size", "tick_value"} & set(spec.values)
    assert [n.split(" ")[0] for n in spec.notes[:3]] == ["digits", "point", "contractSize"]
