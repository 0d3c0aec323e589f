"""Test suites: what to test (agents x parameter grids x series), how (validation, Monte Carlo), how strictly.

A suite is a YAML file validated by pydantic. Shipped presets live in `configs/suites/`, a person's
own in `$KINETRA_HOME/suites/` (same name: the person's wins). Errors name the file and the field.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kinetra.errors import ConfigError, UnknownSuiteError
from kinetra.paths import kinetra_home, shipped_configs_dir
from kinetra.research.verdict import VerdictConfig

Scalar = int | float | bool
Length = int | str
"""A window length: a number of bars, or a duration such as "90d", "12w", "6mo", "1y"."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|d|w|mo|y)\s*$")
_DURATION_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0, "mo": 30.4375, "y": 365.25}


def duration_days(text: str) -> float:
    """Return the days of a duration like "90d", "12w", "6mo" or "1y"; ValueError if it is not one."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration (use e.g. 90d, 12w, 6mo, 1y) or a number of bars")
    return float(match.group(1)) * _DURATION_DAYS[match.group(2)]


def _check_length(value: Length | None) -> Length | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a window is a number of bars or a duration, not true/false")
    if isinstance(value, int):
        if value < 2:
            raise ValueError(f"a window needs at least 2 bars, not {value}")
        return value
    if duration_days(value) <= 0:
        raise ValueError(f"{value!r} is an empty duration")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AgentGrid(_Model):
    """One agent and the values to try for its parameters (every combination is a candidate)."""

    name: str
    params: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)

    def combinations(self) -> list[dict[str, Scalar]]:
        """Every parameter combination of the grid, in a stable order."""
        keys = sorted(self.params)
        values = [v if isinstance(v, list) else [v] for v in (self.params[k] for k in keys)]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]

    @field_validator("params")
    @classmethod
    def _non_empty_lists(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if isinstance(item, list) and not item:
                raise ValueError(f"{key}: an empty list of values")
        return value


class SeriesSelection(_Model):
    """Which stored series to test: filters that all apply; an empty filter allows everything."""

    symbols: list[str] = Field(default_factory=list)
    asset_classes: list[str] = Field(default_factory=list)
    timeframes: list[str] = Field(default_factory=lambda: ["H1"])
    brokers: list[str] = Field(default_factory=list)
    limit: int | None = Field(None, ge=1)
    """At most this many series (in symbol order) after filtering."""


class Period(_Model):
    """The span of bars tested (UTC dates, inclusive); open ends use all the data."""

    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class WalkForward(_Model):
    """Walk-forward: train on a window, test on the next; rolling keeps the train length, anchored grows it.

    With `train` and `test` omitted, the period is cut into folds + 1 equal blocks: the first trains,
    each later one is a test window. With them, test windows follow each other from the first
    train window on; `folds` then keeps only the last `folds` of them.
    """

    scheme: Literal["walk_forward"] = "walk_forward"
    mode: Literal["rolling", "anchored"] = "rolling"
    train: Length | None = None
    test: Length | None = None
    folds: int | None = Field(5, ge=1)

    @field_validator("train", "test")
    @classmethod
    def _length(cls, value: Length | None) -> Length | None:
        return _check_length(value)

    @model_validator(mode="after")
    def _together(self) -> WalkForward:
        if (self.train is None) != (self.test is None):
            raise ValueError("give both train and test window lengths, or neither (then folds cuts the period)")
        if self.train is None and self.folds is None:
            raise ValueError("give folds, or train and test window lengths")
        return self


class PurgedCV(_Model):
    """Combinatorial purged cross-validation (Lopez de Prado 2018, ch. 12): N groups, k tested at a time.

    Every one of the C(N, k) splits trains on the groups not tested, less `embargo` bars on each
    side of a test group (a number of bars, or a fraction of all bars when below 1).
    """

    scheme: Literal["cpcv"] = "cpcv"
    groups: int = Field(6, ge=2, le=16)
    test_groups: int = Field(2, ge=1)
    embargo: float = Field(0.01, ge=0)

    @model_validator(mode="after")
    def _fits(self) -> PurgedCV:
        if self.test_groups >= self.groups:
            raise ValueError(f"test_groups ({self.test_groups}) must be fewer than groups ({self.groups})")
        return self


class MonteCarlo(_Model):
    """Resampling of each candidate: count draws of the chosen method (intervals and the histogram)."""

    count: int = Field(1000, ge=10, le=100_000)
    method: Literal["trade_bootstrap", "block_bootstrap", "random_entry"] = "block_bootstrap"
    level: float = Field(0.95, gt=0, lt=1)


class Suite(_Model):
    """A whole test suite; see configs/suites/*.yaml for annotated examples."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    agents: list[AgentGrid] = Field(min_length=1)
    series: SeriesSelection = Field(default_factory=SeriesSelection)
    period: Period = Field(default_factory=Period)
    costs: bool = True
    fill: Literal["next_open", "close"] = "next_open"
    validation: Annotated[WalkForward | PurgedCV, Field(discriminator="scheme")] = Field(default_factory=WalkForward)
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    alpha: float = Field(0.05, gt=0, lt=1)
    correction: Literal["bh", "holm", "bonferroni"] = "bh"
    dsr_min: float = Field(0.95, ge=0, le=1)
    pbo_max: float = Field(0.5, ge=0, le=1)
    seed: int = 0

    @field_validator("agents")
    @classmethod
    def _known_agents(cls, value: list[AgentGrid]) -> list[AgentGrid]:
        from kinetra.agents import create
        from kinetra.errors import KinetraError

        for grid in value:
            for combo in grid.combinations():
                try:
                    create(grid.name, **combo)
                except KinetraError as err:
                    raise ValueError(str(err)) from None
        return value

    def verdict_config(self) -> VerdictConfig:
        """The thresholds and draws of the verdict this suite asks for."""
        return VerdictConfig(alpha=self.alpha, correction=self.correction, dsr_min=self.dsr_min,
                             pbo_max=self.pbo_max, n_null=self.monte_carlo.count, n_boot=0,
                             level=self.monte_carlo.level, seed=self.seed)

    def candidates(self) -> list[tuple[str, dict[str, Scalar]]]:
        """Every (agent, params) configuration of the suite, in order."""
        return [(grid.name, combo) for grid in self.agents for combo in grid.combinations()]

    def to_json(self) -> dict[str, Any]:
        """The suite as plain data (dates ISO), as stored with its run."""
        return json.loads(self.model_dump_json())


def config_label(agent: str, params: dict[str, Any]) -> str:
    """A configuration's name: agent(k=v, ...) in key order, or the agent alone with its defaults."""
    if not params:
        return agent
    return f"{agent}({', '.join(f'{k}={v}' for k, v in sorted(params.items()))})"


def suite_dirs() -> list[Path]:
    """Folders searched for suites, later ones overriding earlier: shipped, then the person's."""
    return [shipped_configs_dir() / "suites", kinetra_home() / "suites"]


def list_suites() -> dict[str, Path]:
    """Every suite name with the file that defines it (a person's file wins over a shipped one)."""
    found: dict[str, Path] = {}
    for folder in suite_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return found


def parse_suite(data: Any, source: str) -> Suite:
    """Validate suite data; ConfigError names the source and the first bad field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a suite is a mapping of fields (name, agents, series, ...)")
    try:
        return Suite.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not (isinstance(p, str) and p in {"walk_forward", "cpcv"}))
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{source}: {where or 'suite'}: {message}") from None


def load_suite(ref: str) -> Suite:
    """Load a suite by name (shipped or the person's) or by path to a YAML file."""
    path = Path(ref).expanduser()
    if not (path.suffix in {".yaml", ".yml"} and path.is_file()):
        known = list_suites()
        if ref not in known:
            raise UnknownSuiteError(f"no suite {ref!r} (known: {', '.join(sorted(known)) or 'none'};"
                                    " or give a path to a .yaml file)")
        path = known[ref]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: not readable YAML ({str(err).splitlines()[0]})") from None
    if isinstance(data, dict) and "name" not in data:
        data = {"name": path.stem, **data}
    return parse_suite(data, str(path))


def window_bars(length: Length, bars_per_day: float) -> int:
    """Bars in a window given in bars or as a duration, at the series' bars per calendar day."""
    if isinstance(length, int):
        return length
    return max(2, int(math.floor(duration_days(length) * bars_per_day)))
