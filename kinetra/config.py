"""Typed settings: shipped `configs/kinetra.toml` < `$KINETRA_HOME/kinetra.toml` < `KINETRA_*` env."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tomllib
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kinetra import __version__
from kinetra.errors import ConfigError
from kinetra.paths import REPO_ROOT, kinetra_home, shipped_configs_dir

ASSET_CLASSES = ("forex", "metals", "indices", "energy", "crypto")
_FIXED_OFFSET = re.compile(r"^UTC([+-])(\d{1,2})(?::?(\d{2}))?$")
NY_CLOSE = "ny-close"


class Profile(StrEnum):
    """Who the session is for; decides what may trade and the badge colour."""

    dev = "dev"
    research = "research"
    paper = "paper"
    live = "live"


def validate_timezone(value: str) -> str:
    """Accept an IANA zone, a fixed `UTC+2`, or `ny-close` (New York time + 7 h, UTC+2/+3)."""
    if value == NY_CLOSE or _FIXED_OFFSET.match(value):
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown timezone {value!r} (use an IANA name, UTC+N or {NY_CLOSE})") from err
    return value


def fixed_offset(value: str) -> timedelta | None:
    """Return the offset of a `UTC+N[:MM]` zone string, or None for other forms."""
    match = _FIXED_OFFSET.match(value)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))


class Strict(BaseModel):
    """Base of config sections: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class BrokerConfig(Strict):
    """One broker (an MT5 server) whose files or API we read."""

    timezone: str = "UTC"
    """Server clock of the broker; bar times are converted from it to UTC on import."""
    account_id: str | None = None
    """MetaAPI account id of this broker, when downloading through MetaAPI."""

    _check_tz = field_validator("timezone")(lambda cls, v: validate_timezone(v))


class IngestConfig(Strict):
    """How imports treat imperfect files."""

    max_bad_row_fraction: float = Field(0.01, ge=0.0, le=1.0)
    """A file with more unparseable rows than this fraction is refused whole."""


class StoreConfig(Strict):
    """Store access across processes."""

    lock_timeout_seconds: float = Field(60.0, gt=0)
    """How long one access waits for the store lock before failing with a clear error."""


class RunsConfig(Strict):
    """Background runs."""

    heartbeat_seconds: float = Field(2.0, gt=0)
    """How often a run writes its heartbeat."""
    stale_after_seconds: float = Field(30.0, gt=0)
    """A running run whose heartbeat is older than this and whose process is gone is failed."""


class HealthConfig(Strict):
    """How data health is judged; see kinetra/data/health/score.py for the score's definition."""

    occupancy_threshold: float = Field(0.9, gt=0, le=1)
    """A slot of the week is normally open when at least this share of weeks hold a bar there."""
    spike_threshold: float = Field(15.0, gt=0)
    """Robust sigmas (1.4826 x MAD of the trailing returns) a reverting move must exceed to be a spike."""
    spike_window: int = Field(200, ge=30)
    """Trailing returns the spike check's median and MAD are taken over."""
    stale_min_run: int = Field(5, ge=2)
    """Identical consecutive bars needed to call the feed stale."""
    zero_spread_min_run: int = Field(5, ge=1)
    """Consecutive zero-spread bars needed to flag them where spread is normally positive."""
    holiday_share: float = Field(0.5, gt=0, le=1)
    """A date is a market holiday when more than this share of an asset class's series lack bars on it."""
    weights: dict[str, float] = Field(default_factory=lambda: {
        "gaps": 35.0, "ohlc": 20.0, "non_positive": 20.0, "spike": 10.0, "stale": 5.0, "zero_spread": 5.0,
        "revisions": 5.0, "cross_timeframe": 5.0})
    """Points of the 100 each component can cost."""
    tolerances: dict[str, float] = Field(default_factory=lambda: {
        "gaps": 0.02, "ohlc": 0.001, "non_positive": 0.0001, "spike": 0.0005, "stale": 0.005, "zero_spread": 0.01,
        "revisions": 0.01, "cross_timeframe": 0.005})
    """Share of bars affected at which a component has cost all of its weight."""


class DownloadConfig(Strict):
    """How downloads page, retry and share the network."""

    concurrency: int = Field(4, ge=1, le=32)
    """Series downloaded at once."""
    page_size: int = Field(1000, ge=1, le=1000)
    """Bars asked for per request (MetaAPI serves at most 1000)."""
    max_retries: int = Field(5, ge=0, le=20)
    """Transient failures (network, 5xx) retried per request before the series fails."""
    backoff_base_seconds: float = Field(1.0, gt=0)
    """First retry waits about this long; each further retry doubles it (with jitter)."""
    backoff_max_seconds: float = Field(60.0, gt=0)
    """No single retry waits longer than this."""
    max_rate_limit_wait_seconds: float = Field(900.0, gt=0)
    """A rate limit asking to wait longer than this fails the series instead."""
    request_timeout_seconds: float = Field(120.0, gt=0)
    """One MetaAPI request may take this long before it counts as a transient failure."""
    deploy_timeout_seconds: float = Field(300.0, gt=0)
    """With --deploy, how long to wait for the account to deploy and connect."""


class UniverseConfig(Strict):
    """What `kinetra data download --plan` and the refresh job keep in the store."""

    source: str = "metaapi"
    """Where the universe comes from: metaapi or synthetic."""
    broker: str | None = None
    """Broker to download from (default_broker when unset)."""
    symbols: dict[str, list[str]] = Field(default_factory=dict)
    """Symbols per asset class."""
    timeframes: list[str] = Field(default_factory=lambda: ["H1", "H4"])
    """Timeframes of every symbol."""
    history_days: int = Field(730, ge=1)
    """How far back the history reaches on a first download."""

    @field_validator("timeframes")
    @classmethod
    def _known_timeframes(cls, value: list[str]) -> list[str]:
        from kinetra.data.timeframes import TIMEFRAME_SECONDS

        for tf in value:
            if tf.upper() not in TIMEFRAME_SECONDS:
                raise ValueError(f"unknown timeframe {tf!r}")
        return [tf.upper() for tf in value]

    @field_validator("symbols")
    @classmethod
    def _known_classes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for klass in value:
            if klass not in ASSET_CLASSES:
                raise ValueError(f"unknown asset class {klass!r} (one of {', '.join(ASSET_CLASSES)})")
        return value


class Settings(BaseSettings):
    """Everything configurable in Kinetra; see configs/kinetra.toml for the shipped values."""

    model_config = SettingsConfigDict(
        env_prefix="KINETRA_", env_nested_delimiter="__", extra="forbid", validate_assignment=True
    )

    profile: Profile = Profile.research
    """dev, research, paper or live; only live may send real orders."""
    default_broker: str = "mt5"
    """Broker used when an import or download names none."""
    brokers: dict[str, BrokerConfig] = Field(default_factory=lambda: {"mt5": BrokerConfig()})
    """Brokers by name, with their server timezone."""
    asset_classes: dict[str, str] = Field(default_factory=dict)
    """Symbol -> asset class overrides where inference from the name is wrong."""
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    runs: RunsConfig = Field(default_factory=RunsConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    download: DownloadConfig = Field(default_factory=DownloadConfig)
    universe: UniverseConfig = Field(default_factory=UniverseConfig)

    @field_validator("asset_classes")
    @classmethod
    def _known_classes(cls, value: dict[str, str]) -> dict[str, str]:
        for symbol, klass in value.items():
            if klass not in ASSET_CLASSES:
                raise ValueError(f"{symbol}: unknown asset class {klass!r} (one of {', '.join(ASSET_CLASSES)})")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order the sources: init > env > user toml > shipped toml."""
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def broker(self, name: str | None) -> tuple[str, BrokerConfig]:
        """Return a named broker (or the default), or raise ConfigError naming it."""
        key = name or self.default_broker
        if key not in self.brokers:
            raise ConfigError(f"unknown broker {key!r}: add [brokers.{key}] to kinetra.toml (known: {', '.join(self.brokers)})")
        return key, self.brokers[key]


def user_config_path() -> Path:
    """Return the user's override file `$KINETRA_HOME/kinetra.toml`."""
    return kinetra_home() / "kinetra.toml"


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file ({} when absent); a syntax error is a ConfigError naming the file."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from err


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Return `base` with `over` merged in, recursing into tables."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class _TomlSource(PydanticBaseSettingsSource):
    """Shipped defaults overlaid with the user's file."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        shipped = read_toml(shipped_configs_dir() / "kinetra.toml")
        return deep_merge(shipped, read_toml(user_config_path()))


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "config"
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    return f"invalid config {where}: {msg}"


def load_settings(**overrides: Any) -> Settings:
    """Load settings from every source; a bad file, key or value raises ConfigError naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as err:
        raise ConfigError(_describe(err)) from None


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def set_value(key: str, raw: str) -> Settings:
    """Set dotted `key` to `raw` in the user's file after validating the result; return new settings."""
    path = user_config_path()
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    parts = key.split(".")
    if not all(parts):
        raise ConfigError(f"invalid config key {key!r}")
    table: Any = doc
    for part in parts[:-1]:
        if part not in table:
            table[part] = tomlkit.table()
        table = table[part]
    table[parts[-1]] = _parse_value(raw)
    candidate = deep_merge(read_toml(shipped_configs_dir() / "kinetra.toml"), doc.unwrap())
    try:
        Settings.model_validate(candidate)
    except ValidationError as err:
        raise ConfigError(_describe(err)) from None
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)
    return load_settings()


@functools.cache
def git_revision() -> str | None:
    """Return the git commit of the source tree, or None outside a checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def snapshot(settings: Settings | None = None) -> dict[str, Any]:
    """Return settings + version + git revision, the record stored with every run."""
    settings = settings or load_settings()
    return {
        "settings": settings.model_dump(mode="json"),
        "version": __version__,
        "git_revision": git_revision(),
    }
