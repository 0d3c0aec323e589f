"""MetaAPI as a source, through the real `metaapi-cloud-sdk` (imported only when a download starts).

`get_historical_candles(symbol, timeframe, start_time, limit)` returns at most 1000 candles ending
at `start_time`, ascending, so history is paged backwards by moving `start_time` to just before the
first candle of the last page. The SDK's own retries are switched off (`retryOpts.retries = 0`) so
one bounded policy applies: rate limits wait for `recommendedRetryTime`, transient failures back off
exponentially with jitter, auth failures stop at once, an unknown symbol fails its series alone.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kinetra.data.sources import (
    BrokerSpec,
    Page,
    SourceAuthError,
    SourceError,
    SourceUnavailableError,
    SymbolNotFoundError,
)
from kinetra.data.sources.metaapi_spec import from_metaapi
from kinetra.data.sources.retry import backoff_delay, sleep_unless_cancelled
from kinetra.data.timeframes import TIMEFRAME_SECONDS, parse_timeframe
from kinetra.errors import ConfigError, RunCancelled
from kinetra.secrets import Secret, guard_logging, metaapi_token, redact

#: MT5 timeframe names to MetaAPI's, and back.
TO_METAAPI = {"M1": "1m", "M2": "2m", "M3": "3m", "M4": "4m", "M5": "5m", "M6": "6m", "M10": "10m", "M12": "12m",
              "M15": "15m", "M20": "20m", "M30": "30m", "H1": "1h", "H2": "2h", "H3": "3h", "H4": "4h", "H6": "6h",
              "H8": "8h", "H12": "12h", "D1": "1d", "W1": "1w", "MN1": "1mn"}
FROM_METAAPI = {v: k for k, v in TO_METAAPI.items()}
MAX_PAGE = 1000
TRANSIENT = {"ApiException", "InternalException", "ConflictException", "TimeoutException", "ConnectTimeout",
             "TimeoutError", "ConnectionError", "OSError", "HTTPError", "ConnectError", "ReadTimeout",
             "NotConnectedException", "ClientConnectorError", "ServerDisconnectedError"}
_OFFSET_STEP = 900  # server offsets are whole quarter hours
log = logging.getLogger(__name__)


def to_metaapi_timeframe(tf: str) -> str:
    """MT5 name (H1) to MetaAPI's (1h)."""
    return TO_METAAPI[parse_timeframe(tf)]


def from_metaapi_timeframe(tf: str) -> str:
    """MetaAPI name (1h) to MT5's (H1)."""
    if tf not in FROM_METAAPI:
        raise SourceError(f"unknown MetaAPI timeframe {tf!r}")
    return FROM_METAAPI[tf]


def _utc_naive(at: Any) -> datetime:
    stamp = pd.Timestamp(at)
    return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()


def server_offset(candles: list[dict]) -> int | None:
    """The broker's server clock minus UTC in seconds, from `brokerTime` against `time`, to the quarter hour."""
    for candle in candles:
        broker_time = candle.get("brokerTime")
        if broker_time:
            diff = (datetime.fromisoformat(str(broker_time).replace(" ", "T")) - _utc_naive(candle["time"]))
            return int(round(diff.total_seconds() / _OFFSET_STEP) * _OFFSET_STEP)
    return None


def candles_frame(candles: list[dict]) -> pd.DataFrame:
    """MetaAPI candles as a store frame: ts naive UTC ascending and unique, the bar columns typed."""
    if not candles:
        return pd.DataFrame({"ts": np.array([], dtype="datetime64[us]"), **{c: np.array([], dtype=float) for c in
                             ("open", "high", "low", "close")}, **{c: np.array([], dtype=np.int64) for c in
                             ("tick_volume", "volume", "spread")}})
    ts = np.array([np.datetime64(_utc_naive(c["time"]), "us") for c in candles])
    num = {k: np.array([float(c.get(k) or 0.0) for c in candles]) for k in
           ("open", "high", "low", "close", "tickVolume", "volume", "spread")}
    frame = pd.DataFrame({
        "ts": ts, "open": num["open"], "high": num["high"], "low": num["low"], "close": num["close"],
        "tick_volume": np.round(num["tickVolume"]).astype(np.int64), "volume": np.round(num["volume"]).astype(np.int64),
        "spread": np.round(num["spread"]).astype(np.int64),
    })
    return frame.drop_duplicates("ts", keep="last").sort_values("ts", kind="stable").reset_index(drop=True)


def _one_line(err: BaseException, token: Secret) -> str:
    text = redact(str(err) or type(err).__name__, token)
    if text.startswith("None. Request URL: "):  # the SDK's words for a request that got no response
        text = "no response from " + text.removeprefix("None. Request URL: ").split("/users/")[0]
    return text.splitlines()[0][:300] if text else type(err).__name__


def _retry_after(err: BaseException) -> float | None:
    """Seconds until a TooManyRequestsException's recommendedRetryTime (0 when past or missing)."""
    meta = getattr(err, "metadata", None) or {}
    when = meta.get("recommendedRetryTime") if isinstance(meta, dict) else None
    if not when:
        return None
    try:
        at = pd.Timestamp(when)
    except ValueError:
        return None
    at = at.tz_localize("UTC") if at.tzinfo is None else at
    return max(0.0, (at - pd.Timestamp.now(tz="UTC")).total_seconds())


class MetaApiSource:
    """MetaAPI history for one broker's account behind the Source protocol."""

    name = "metaapi"

    def __init__(self, token: Secret, account_id: str, broker: str, download: Any, deploy: bool = False,
                 seed: int = 0, should_cancel: Callable[[], bool] | None = None) -> None:
        self.token = token
        self.account_id = account_id
        self.broker = broker
        self.cfg = download
        self.deploy = deploy
        self.rng = random.Random(seed)
        self.should_cancel = should_cancel or (lambda: False)
        self._api: Any = None
        self._account: Any = None
        self._rpc_conn: Any = None
        self._rpc_error: SourceError | None = None
        self._lock = asyncio.Lock()
        guard_logging(token)

    @classmethod
    def from_settings(cls, settings: Any, broker: str | None, deploy: bool = False, seed: int = 0,
                      should_cancel: Callable[[], bool] | None = None) -> MetaApiSource:
        """Build from config: the broker's account id and the token from the environment or secrets file."""
        name, cfg = settings.broker(broker)
        if not cfg.account_id:
            raise ConfigError(f"broker {name!r} has no MetaAPI account: kinetra config set brokers.{name}.account_id ID")
        return cls(metaapi_token(), cfg.account_id, name, settings.download, deploy, seed, should_cancel)

    # --- calls with one retry policy ---------------------------------------------------------------

    async def _call(self, make: Callable[[], Awaitable[Any]], what: str, retries: list[int]) -> Any:
        """Await `make()` with the retry policy; count retries into `retries[0]`."""
        transient = 0
        while True:
            if self.should_cancel():
                raise RunCancelled("download cancelled; every page fetched so far is kept, run it again to resume")
            try:
                return await asyncio.wait_for(make(), self.cfg.request_timeout_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - sorted into our errors right here
                kind = type(err).__name__
                if kind in ("UnauthorizedException", "ForbiddenException"):
                    code = "401 Unauthorized" if kind.startswith("Unauth") else "403 Forbidden"
                    raise SourceAuthError(
                        f"MetaAPI refused the token ({code}) for account {self.account_id}: check "
                        f"KINETRA_METAAPI_TOKEN or metaapi_token in secrets.toml") from None
                if kind == "NotFoundException":
                    raise SymbolNotFoundError(f"{what}: not found on MetaAPI ({_one_line(err, self.token)})") from None
                if kind == "TooManyRequestsException":
                    wait = _retry_after(err)
                    wait = self.cfg.backoff_base_seconds if wait is None else wait
                    if wait > self.cfg.max_rate_limit_wait_seconds or retries[0] > 10 * (self.cfg.max_retries + 1):
                        raise SourceUnavailableError(f"{what}: MetaAPI rate limit asks to wait {wait:.0f} s") from None
                    retries[0] += 1
                    log.info("%s: rate limited, waiting %.1f s", what, wait)
                    if not await sleep_unless_cancelled(wait, self.should_cancel):
                        raise RunCancelled("download cancelled while rate-limited; run it again to resume") from None
                    continue
                if kind in TRANSIENT or isinstance(err, (OSError, asyncio.TimeoutError)):
                    if transient >= self.cfg.max_retries:
                        raise SourceUnavailableError(
                            f"{what}: MetaAPI unreachable after {transient + 1} tries ({_one_line(err, self.token)})"
                        ) from None
                    delay = backoff_delay(transient, self.cfg.backoff_base_seconds, self.cfg.backoff_max_seconds,
                                          self.rng)
                    transient += 1
                    retries[0] += 1
                    log.info("%s: %s, retry %d in %.1f s", what, kind, transient, delay)
                    if not await sleep_unless_cancelled(delay, self.should_cancel):
                        raise RunCancelled("download cancelled while retrying; run it again to resume") from None
                    continue
                raise SourceError(f"{what}: MetaAPI error {kind}: {_one_line(err, self.token)}") from None

    async def _connect(self) -> Any:
        """The account, deployed and connected (with --deploy) or a clear line saying it is not."""
        async with self._lock:
            if self._account is not None:
                return self._account
            import metaapi_cloud_sdk  # lazy: the SDK costs ~0.5 s to import

            self._api = metaapi_cloud_sdk.MetaApi(self.token.reveal(), {
                "application": "kinetra", "requestTimeout": self.cfg.request_timeout_seconds,
                "retryOpts": {"retries": 0}})
            what = f"account {self.account_id}"
            try:
                account = await self._call(lambda: self._api.metatrader_account_api.get_account(self.account_id),
                                           what, [0])
            except SymbolNotFoundError:
                raise SourceAuthError(f"MetaAPI has no account {self.account_id}: check brokers.{self.broker}"
                                      ".account_id") from None
            if account.state != "DEPLOYED":
                if not self.deploy:
                    raise SourceAuthError(f"MetaAPI account {self.account_id} is {account.state}, not deployed: "
                                          "run again with --deploy to deploy it and wait until it connects")
                await self._call(account.deploy, what, [0])
                await self._call(lambda: account.wait_connected(self.cfg.deploy_timeout_seconds), what, [0])
            self._account = account
            return account

    # --- the Source protocol -----------------------------------------------------------------------

    async def _rpc(self) -> Any:
        """The account's RPC connection, connected and synchronized once; a failure is kept and re-raised."""
        account = await self._connect()
        async with self._lock:
            if self._rpc_error is not None:
                raise self._rpc_error
            if self._rpc_conn is None:
                conn = account.get_rpc_connection()
                try:
                    await self._call(conn.connect, "RPC connection", [0])
                    await self._call(lambda: conn.wait_synchronized(self.cfg.request_timeout_seconds),
                                     "RPC connection", [0])
                except SourceError as err:
                    self._rpc_error = err
                    raise
                self._rpc_conn = conn
            return self._rpc_conn

    async def symbols(self) -> list[str] | None:
        """Symbols the account's terminal offers (over an RPC connection), or None when it cannot say."""
        try:
            conn = await self._rpc()
            found = await asyncio.wait_for(conn.get_symbols(), self.cfg.request_timeout_seconds)
        except Exception as err:  # noqa: BLE001 - the picker falls back to typed symbols
            log.info("symbol list unavailable: %s", _one_line(err, self.token))
            return None
        return sorted(found)

    async def specification(self, symbol: str) -> BrokerSpec | None:
        """The broker's specification of a symbol, with the quote's tick value when the price comes too.

        A failure is a SourceError (one line, token redacted); a missing price only loses the tick value.
        """
        conn = await self._rpc()
        spec = await self._call(lambda: conn.get_symbol_specification(symbol), f"{symbol} specification", [0])
        try:
            price = await self._call(lambda: conn.get_symbol_price(symbol), f"{symbol} price", [0])
        except SourceError as err:
            log.info("%s: no quote for the tick value: %s", symbol, err)
            price = None
        return from_metaapi(spec if isinstance(spec, dict) else {}, price if isinstance(price, dict) else None)

    async def pages(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> AsyncIterator[Page]:
        """Candles of [start, end] newest page first, paging backwards from `end`."""
        account = await self._connect()
        tf = to_metaapi_timeframe(timeframe)
        step = timedelta(seconds=TIMEFRAME_SECONDS[parse_timeframe(timeframe)])
        start_time: datetime = end
        what = f"{symbol} {parse_timeframe(timeframe)}"
        while True:
            retries = [0]
            at = start_time.replace(tzinfo=UTC)
            candles = await self._call(
                lambda at=at: account.get_historical_candles(symbol, tf, at, MAX_PAGE), what, retries)
            candles = [c for c in (candles or []) if _utc_naive(c["time"]) <= start_time]
            frame = candles_frame(candles)
            yield Page(frame, retries=retries[0], server_offset_s=server_offset(candles))
            if frame.empty:
                return
            first = frame["ts"].iloc[0].to_pydatetime()
            if first <= start or first - step < start:
                return
            start_time = first - timedelta(milliseconds=1)

    async def close(self) -> None:
        """Close the SDK's connections."""
        if self._rpc_conn is not None:
            try:
                await self._rpc_conn.close()
            except Exception as err:  # noqa: BLE001 - closing must not mask the real outcome
                log.info("closing the RPC connection: %s", _one_line(err, self.token))
            self._rpc_conn = None
        if self._api is not None:
            try:
                self._api.close()
            except Exception as err:  # noqa: BLE001 - closing must not mask the real outcome
                log.info("closing MetaAPI: %s", _one_line(err, self.token))
            self._api = None
            self._account = None
