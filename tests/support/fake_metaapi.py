"""A fake MetaApi that behaves like the real SDK at its boundary, served from MT5 exports.

It replaces only `metaapi_cloud_sdk.MetaApi`; the exceptions it raises are the real SDK's classes.
Like the real service: candles come in ascending pages of at most 1000 ending at `start_time`
(latest first when it is None), a token it does not know is 401, an unknown account or symbol is
404, and a scenario can add rate limits (429 with `recommendedRetryTime`), dropped connections,
an undeployed account and a delay per page. The RPC connection lists the symbols and serves each
one's specification (`specs`) and price (`prices`): like the real one it must be connected first, an
unknown symbol is 404, and `spec_fails` makes it drop the connection. A scenario is a dict, or a
JSON file named by the environment variable KINETRA_FAKE_METAAPI (so run workers see it too).
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from metaapi_cloud_sdk.clients.error_handler import (
    ApiException,
    NotFoundException,
    TooManyRequestsException,
    UnauthorizedException,
    ValidationException,
)

ENV = "KINETRA_FAKE_METAAPI"
URL = "https://mt-market-data-client-api-v1.fake/users/current/accounts"
_TF = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400, "1d": 86400}
#: A broker's mini-lot EURUSD (10,000 units a lot, so 0.10 USD a point) as MetaAPI's specification and quote.
EURUSD_SPEC = {"symbol": "EURUSD", "tickSize": 0.00001, "minVolume": 0.01, "maxVolume": 100, "volumeStep": 0.01,
               "contractSize": 10000, "digits": 5, "point": 0.00001, "swapMode": "SYMBOL_SWAP_MODE_POINTS",
               "swapLong": -10.53, "swapShort": 4.98, "swapRollover3Days": "FRIDAY", "baseCurrency": "EUR",
               "profitCurrency": "USD", "marginCurrency": "EUR", "description": "Euro vs US Dollar (mini)",
               "executionMode": "SYMBOL_TRADE_EXECUTION_MARKET", "fillingModes": ["SYMBOL_FILLING_IOC"],
               "tradeSessions": {"MONDAY": [{"from": "00:05:00.000", "to": "23:59:59.999"}]}}
EURUSD_PRICE = {"symbol": "EURUSD", "bid": 1.0812, "ask": 1.08127, "profitTickValue": 0.1, "lossTickValue": 0.1,
                "brokerTime": "2026-11-23 14:00:00.000"}
_SCENARIO: dict[str, Any] | None = None
_CALLS = {"candles": 0}


def use(scenario: dict[str, Any] | None) -> None:
    """Set the in-process scenario (None: read it from the file named by KINETRA_FAKE_METAAPI)."""
    global _SCENARIO
    _SCENARIO = scenario
    _CALLS["candles"] = 0
    _history.cache_clear()


def scenario() -> dict[str, Any]:
    """The active scenario."""
    if _SCENARIO is not None:
        return _SCENARIO
    return json.loads(Path(os.environ[ENV]).read_text())


def _log(entry: dict[str, Any]) -> None:
    path = scenario().get("call_log")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


import functools  # noqa: E402


@functools.lru_cache(maxsize=16)
def _history(path: str, offset_hours: float) -> pd.DataFrame:
    """An MT5 export (server time) as candles with UTC `time` and the broker's `brokerTime`."""
    raw = pd.read_csv(path, sep="\t", encoding="utf-8")
    raw.columns = [c.strip("<>").lower() for c in raw.columns]
    server = pd.to_datetime(raw["date"] + " " + raw["time"], format="%Y.%m.%d %H:%M:%S")
    out = pd.DataFrame({
        "time": (server - pd.Timedelta(hours=offset_hours)).dt.tz_localize("UTC"),
        "brokerTime": server.dt.strftime("%Y-%m-%d %H:%M:%S.000"),
        "open": raw["open"], "high": raw["high"], "low": raw["low"], "close": raw["close"],
        "tickVolume": raw["tickvol"].astype(float), "spread": raw["spread"].astype(float),
        "volume": raw["vol"].astype(float),
    })
    return out.sort_values("time").reset_index(drop=True)


class FakeAccount:
    """A MetatraderAccount with the calls Kinetra uses."""

    def __init__(self, account_id: str, spec: dict[str, Any]) -> None:
        self.id = account_id
        self.spec = spec
        self.state = spec.get("state", "DEPLOYED")
        self.connection_status = "CONNECTED" if self.state == "DEPLOYED" else "DISCONNECTED"

    async def deploy(self) -> None:
        self.state = "DEPLOYING"

    async def wait_connected(self, timeout_in_seconds: float = 300, interval_in_milliseconds: int = 1000) -> None:
        await asyncio.sleep(0.01)
        self.state, self.connection_status = "DEPLOYED", "CONNECTED"

    def get_rpc_connection(self) -> FakeRpc:
        return FakeRpc(self.id)

    async def get_historical_candles(self, symbol: str, timeframe: str, start_time: datetime | None = None,
                                     limit: int | None = None) -> list[dict[str, Any]]:
        sc = scenario()
        _CALLS["candles"] += 1
        n = _CALLS["candles"]
        _log({"symbol": symbol, "timeframe": timeframe, "start_time": start_time.isoformat() if start_time else None,
              "limit": limit, "n": n})
        url = f"{URL}/{self.id}/historical-market-data/symbols/{symbol}/timeframes/{timeframe}/candles"
        if limit is not None and limit > 1000:
            raise ValidationException("Validation failed", [{"parameter": "limit", "message": "must be <= 1000"}], url)
        if sc.get("rate_limit_every") and n % sc["rate_limit_every"] == 0:
            retry = datetime.now(UTC) + timedelta(seconds=sc.get("rate_limit_seconds", 0.2))
            raise TooManyRequestsException("Too many requests", {
                "periodInMinutes": 1, "requestsPerPeriodAllowed": 10, "type": "LIMIT_REQUEST_RATE_PER_USER",
                "recommendedRetryTime": retry.isoformat().replace("+00:00", "Z")}, url)
        if sc.get("disconnect_every") and n % sc["disconnect_every"] == 0:
            leak = f" (auth-token {sc['token']})" if sc.get("leak_token_in_errors") else ""
            raise ApiException(f"Server disconnected{leak}", None, url)
        files = sc.get("symbols", {}).get(symbol)
        if not files or timeframe not in files:
            raise NotFoundException(f"Symbol {symbol} not found", url)
        if sc.get("page_delay"):
            await asyncio.sleep(sc["page_delay"])
        hist = _history(files[timeframe], float(sc.get("offset_hours", 0)))
        times = hist["time"]
        end = len(hist) if start_time is None else int(times.searchsorted(pd.Timestamp(start_time), side="right"))
        page = hist.iloc[max(0, end - (limit or 1000)):end]
        return [dict(row, time=row["time"].to_pydatetime()) for row in page.to_dict(orient="records")]


class FakeRpc:
    """The RPC connection: the symbol list, symbol specifications and prices."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.opened = self.closed = False

    async def connect(self) -> None:
        self.opened = True

    async def wait_synchronized(self, *args: Any, **kwargs: Any) -> None:
        return None

    def _check_active(self) -> None:
        if not self.opened:
            raise Exception("This connection has not been initialized yet, please invoke await connection.connect()")
        if self.closed:
            raise Exception("This connection has been closed, please create a new connection")

    async def get_symbols(self) -> list[str]:
        self._check_active()
        return sorted(scenario().get("symbols", {}))

    async def _answer(self, kind: str, symbol: str) -> dict[str, Any]:
        self._check_active()
        sc = scenario()
        url = f"{URL}/{self.account_id}/symbols/{symbol}/{kind}"
        if sc.get("spec_fails"):
            leak = f" (auth-token {sc['token']})" if sc.get("leak_token_in_errors") else ""
            raise ApiException(f"Server disconnected{leak}", None, url)
        found = sc.get(f"{kind}s", {}).get(symbol)
        if found is None:
            raise NotFoundException(f"Specification for symbol {symbol} not found", url)
        return dict(found)

    async def get_symbol_specification(self, symbol: str) -> dict[str, Any]:
        return await self._answer("spec", symbol)

    async def get_symbol_price(self, symbol: str, keep_subscription: bool = False) -> dict[str, Any]:
        return await self._answer("price", symbol)

    async def close(self) -> None:
        self.closed = True


class FakeAccountApi:
    """MetatraderAccountApi: get_account, checking the token like the service would."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def get_account(self, account_id: str) -> FakeAccount:
        sc = scenario()
        url = f"https://mt-provisioning-api-v1.fake/users/current/accounts/{account_id}"
        if self.token != sc["token"]:
            raise UnauthorizedException("Authorization token invalid", url)
        accounts = sc.get("accounts", {})
        if account_id not in accounts:
            raise NotFoundException(f"Trading account with id {account_id} not found", url)
        return FakeAccount(account_id, accounts[account_id])


class FakeMetaApi:
    """Stands in for metaapi_cloud_sdk.MetaApi(token, opts)."""

    def __init__(self, token: str, opts: dict[str, Any] | None = None) -> None:
        self.opts = opts or {}
        self.metatrader_account_api = FakeAccountApi(token)
        self.closed = False

    def close(self) -> None:
        self.closed = True
