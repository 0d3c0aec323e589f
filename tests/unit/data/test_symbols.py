"""Symbols, timeframes and broker time zones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinetra.data.symbols import base_symbol, infer_asset_class, parse_file_name
from kinetra.data.timeframes import UnknownTimeframeError, parse_timeframe, spacing_matches, timeframe_for_spacing
from kinetra.data.timezones import server_to_utc


@pytest.mark.parametrize(("name", "symbol", "tf"), [
    ("GBPUSD+_H4_202401020000_202512262000.csv", "GBPUSD+", "H4"),
    ("XAUUSDft_M15_202401020000_202512262000.csv", "XAUUSDft", "M15"),
    ("EURUSD-C_MN1.csv", "EURUSD-C", "MN1"),
    ("US_30_h1_202401020000_202401030000.csv", "US_30", "H1"),
])
def test_mt5_file_names_give_symbol_and_timeframe(name: str, symbol: str, tf: str) -> None:
    parsed = parse_file_name(name)
    assert parsed is not None and (parsed.symbol, parsed.timeframe) == (symbol, tf)


def test_a_name_without_the_convention_gives_nothing() -> None:
    assert parse_file_name("prices.csv") is None


@pytest.mark.parametrize(("symbol", "base", "klass"), [
    ("GBPUSD+", "GBPUSD", "forex"), ("EURUSD-C", "EURUSD", "forex"), ("EURUSDm", "EURUSD", "forex"),
    ("XAUUSDft", "XAUUSD", "metals"), ("XAGUSD.a", "XAGUSD", "metals"), ("NAS100", "NAS100", "indices"),
    ("US30.cash", "US30", "indices"), ("GER40", "GER40", "indices"), ("UKOUSD", "UKOUSD", "energy"),
    ("USOIL", "USOIL", "energy"), ("BTCUSD", "BTCUSD", "crypto"), ("ETHUSD#", "ETHUSD", "crypto"),
])
def test_asset_class_is_inferred_from_the_base_symbol(symbol: str, base: str, klass: str) -> None:
    assert base_symbol(symbol) == base
    assert infer_asset_class(symbol) == klass


def test_overrides_win_over_inference() -> None:
    assert infer_asset_class("XAUUSD+", {"XAUUSD": "forex"}) == "forex"


def test_timeframes_parse_and_match_spacing() -> None:
    assert parse_timeframe(" h4 ") == "H4"
    with pytest.raises(UnknownTimeframeError, match="unknown timeframe 'H5'"):
        parse_timeframe("H5")
    assert spacing_matches("H1", 3600) and not spacing_matches("H4", 3600)
    assert spacing_matches("MN1", 31 * 86400) and timeframe_for_spacing(900) == "M15"
    assert timeframe_for_spacing(4000) is None


def _secs(*stamps: str) -> np.ndarray:
    return pd.to_datetime(list(stamps)).as_unit("s").asi8


def test_ny_close_is_utc_plus_two_in_winter_and_three_in_us_summer() -> None:
    utc = server_to_utc(_secs("2024-01-15 00:00", "2024-07-15 00:00", "2024-03-11 00:00"), "ny-close")
    assert list(pd.to_datetime(utc, unit="s")) == [
        pd.Timestamp("2024-01-14 22:00"), pd.Timestamp("2024-07-14 21:00"), pd.Timestamp("2024-03-10 21:00")]


def test_fixed_offsets_and_iana_zones() -> None:
    local = _secs("2024-07-01 12:00")
    assert server_to_utc(local, "UTC+3")[0] == _secs("2024-07-01 09:00")[0]
    assert server_to_utc(local, "UTC-05:30")[0] == _secs("2024-07-01 17:30")[0]
    assert server_to_utc(local, "Europe/London")[0] == _secs("2024-07-01 11:00")[0]
    assert server_to_utc(local, "UTC")[0] == local[0]
