"""Symbol names: MT5 file-name convention, broker suffixes, and asset-class inference."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kinetra.data.timeframes import TIMEFRAME_SECONDS

_TF = "|".join(sorted(TIMEFRAME_SECONDS, key=len, reverse=True))
_FILE_NAME = re.compile(rf"^(?P<symbol>.+?)_(?P<tf>{_TF})(?:_(?P<start>\d{{12}})_(?P<end>\d{{12}}))?$", re.IGNORECASE)
_SUFFIX = re.compile(r"([+\-_.#!][A-Za-z0-9]*|[+\-_.#!]|ft|m|c|pro|ecn|raw)$")

CURRENCIES = frozenset(
    "USD EUR GBP JPY CHF AUD NZD CAD SEK NOK DKK PLN HUF CZK TRY ZAR MXN SGD HKD CNH CNY RUB ILS THB"
    " INR KRW BRL CLP".split()
)
METALS = ("XAU", "XAG", "XPT", "XPD", "GOLD", "SILVER", "PLATINUM", "PALLADIUM", "COPPER", "XCU")
CRYPTO = ("BTC", "ETH", "LTC", "XRP", "BCH", "ADA", "DOT", "SOL", "DOGE", "BNB", "LINK", "XLM", "EOS",
          "AVAX", "MATIC", "TRX", "UNI", "XTZ", "ATOM", "SHIB")
ENERGY = ("UKO", "USO", "WTI", "BRENT", "XBR", "XTI", "XNG", "NGAS", "NATGAS", "UKOIL", "USOIL", "OIL",
          "CL", "GASOLINE", "HEATOIL")
INDICES = ("NAS", "US30", "US100", "US500", "SPX", "SP500", "DJ", "DOW", "NDX", "GER", "DE30", "DE40",
           "DAX", "UK100", "FTSE", "JPN", "JP225", "NIK", "FRA40", "CAC", "EU50", "STOXX", "AUS200",
           "HK50", "HSI", "ESP35", "IT40", "CHINA50", "CN50", "US2000", "RUSSELL", "VIX", "USTEC", "SWI20",
           "NETH25", "SING", "USDX", "DXY")


@dataclass(frozen=True)
class FileName:
    """What an MT5 export's file name tells: symbol and timeframe."""

    symbol: str
    timeframe: str


def parse_file_name(path: str | Path) -> FileName | None:
    """Read `SYMBOL_TF_YYYYMMDDHHMM_YYYYMMDDHHMM.csv` (dates optional); None if it doesn't fit."""
    match = _FILE_NAME.match(Path(path).stem)
    if not match:
        return None
    return FileName(symbol=match.group("symbol"), timeframe=match.group("tf").upper())


def base_symbol(symbol: str) -> str:
    """Strip a broker suffix (`+`, `-C`, `.a`, `ft`, `m`, ...) from a symbol, upper-cased."""
    upper = symbol.strip()
    for _ in range(2):
        stripped = _SUFFIX.sub("", upper)
        if len(stripped) < 3:
            break
        upper = stripped
    return upper.upper()


def infer_asset_class(symbol: str, overrides: dict[str, str] | None = None) -> str:
    """Guess forex, metals, indices, energy or crypto from a symbol; overrides win (raw or base name)."""
    overrides = {k.upper(): v for k, v in (overrides or {}).items()}
    base = base_symbol(symbol)
    for key in (symbol.upper(), base):
        if key in overrides:
            return overrides[key]
    if base.startswith(METALS):
        return "metals"
    if base.startswith(CRYPTO):
        return "crypto"
    if base.startswith(ENERGY):
        return "energy"
    if len(base) == 6 and base[:3] in CURRENCIES and base[3:] in CURRENCIES:
        return "forex"
    if base.startswith(INDICES) or any(ch.isdigit() for ch in base):
        return "indices"
    return "forex" if len(base) == 6 else "indices"
