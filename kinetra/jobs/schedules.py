"""Job schedules: shipped `configs/jobs.yaml` < `$KINETRA_HOME/jobs.yaml`, validated, readable by people.

A job names a kind (refresh, health, fill, backup, test), a cron or interval trigger with a timezone, its
arguments, whether it is enabled, and a retry policy. A user job with a shipped job's name
overrides the fields it sets. Every error names the job and the field.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kinetra.errors import ConfigError
from kinetra.paths import kinetra_home, shipped_configs_dir

JOB_KINDS = ("refresh", "health", "fill", "backup", "test")
_INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_trigger(expr: str, timezone: str) -> Any:
    """A CronTrigger with crontab's meaning of weekdays (0 and 7 are Sunday).

    APScheduler counts a numeric weekday from Monday = 0, so numbers are turned into names first.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
    dow = re.sub(r"(?<![/\d])([0-7])(?!\d)", lambda m: _CRON_DAYS[int(m.group(1))], fields[4])
    return CronTrigger.from_crontab(" ".join([*fields[:4], dow]), timezone=timezone)


class RetryPolicy(BaseModel):
    """How often a failed execution is tried again, and after how long."""

    model_config = ConfigDict(extra="forbid")
    max_retries: int = Field(0, ge=0, le=10)
    delay_seconds: float = Field(300.0, ge=0)


class JobSpec(BaseModel):
    """One scheduled job."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["refresh", "health", "fill", "backup", "test"]
    cron: str | None = None
    """Five-field crontab: minute hour day-of-month month day-of-week (e.g. `0 6 * * *`)."""
    interval: str | None = None
    """Or a fixed interval: `90s`, `30m`, `6h`, `1d`."""
    timezone: str = "UTC"
    args: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = False
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    misfire_grace_seconds: int = Field(3600, ge=1)
    """A run missed while the daemon was down still starts if it is at most this late (once: coalesced)."""
    description: str = ""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        if value is not None and not _INTERVAL.match(value):
            raise ValueError(f"interval {value!r} is not like 90s, 30m, 6h or 1d")
        if value is not None and int(_INTERVAL.match(value).group(1)) == 0:
            raise ValueError("interval must be longer than 0")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            crontab_trigger(value, "UTC")
        except ValueError as err:
            raise ValueError(f"cron {value!r} is not a valid crontab ({err})") from None
        return value

    @model_validator(mode="after")
    def _one_trigger(self) -> JobSpec:
        if (self.cron is None) == (self.interval is None):
            raise ValueError("give exactly one of cron or interval")
        if self.kind == "health" and "fail_under" in self.args:
            score = self.args["fail_under"]
            if not isinstance(score, int | float) or not 0 <= score <= 100:
                raise ValueError("args.fail_under must be a score from 0 to 100")
        if self.kind == "test":
            self._check_suite()
        return self

    def _check_suite(self) -> None:
        """A test job names a suite that loads (shipped, the person's, or a YAML path)."""
        from kinetra.errors import KinetraError
        from kinetra.research.suite import load_suite

        suite = self.args.get("suite")
        if not isinstance(suite, str) or not suite:
            raise ValueError("args.suite must name a test suite (e.g. quick; see `kinetra test suites`)")
        try:
            load_suite(suite)
        except KinetraError as err:
            raise ValueError(f"args.suite: {err}") from None

    def trigger(self) -> Any:
        """The APScheduler trigger of this schedule."""
        from apscheduler.triggers.interval import IntervalTrigger

        if self.cron is not None:
            return crontab_trigger(self.cron, self.timezone)
        count, unit = _INTERVAL.match(self.interval or "").groups()
        return IntervalTrigger(timezone=self.timezone, **{_UNIT[unit]: int(count)})

    def human(self) -> str:
        """The schedule in words, e.g. `every day at 06:00 UTC` or `every 30 minutes`."""
        if self.interval is not None:
            count, unit = _INTERVAL.match(self.interval).groups()
            n = int(count)
            word = _UNIT[unit][:-1]
            return f"every {word}" if n == 1 else f"every {n} {word}s"
        return describe_cron(self.cron or "", self.timezone)


def describe_cron(expr: str, tz: str) -> str:
    """Common crontabs in words; anything else as the crontab itself."""
    fields = expr.split()
    if len(fields) != 5:
        return f"cron {expr} ({tz})"
    minute, hour, dom, month, dow = fields
    if minute.isdigit() and hour == "*" and dom == month == dow == "*":
        return f"every hour at :{int(minute):02d}"
    if not (minute.isdigit() and hour.isdigit()) or dom != "*" or month != "*":
        return f"cron {expr} ({tz})"
    at = f"{int(hour):02d}:{int(minute):02d} {tz}"
    if dow == "*":
        return f"every day at {at}"
    if dow in ("1-5", "mon-fri"):
        return f"weekdays at {at}"
    if dow.isdigit() and 0 <= int(dow) <= 7:
        return f"every {_DAYS[(int(dow) - 1) % 7]} at {at}"
    return f"cron {expr} ({tz})"


def user_jobs_path(home: Path | None = None) -> Path:
    """`$KINETRA_HOME/jobs.yaml`."""
    return (home or kinetra_home()) / "jobs.yaml"


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    jobs = data.get("jobs", []) if isinstance(data, dict) else None
    if not isinstance(jobs, list) or not all(isinstance(j, dict) and "name" in j for j in jobs):
        raise ConfigError(f"{path}: expected `jobs:` with a list of jobs, each with a name")
    return jobs


def _validate(raw: dict[str, Any], where: Path) -> JobSpec:
    try:
        return JobSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "job"
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown field"
        raise ConfigError(f"{where}: job {raw.get('name')!r}: {field}: {msg}") from None


def load_jobs(home: Path | None = None) -> dict[str, JobSpec]:
    """Every job by name: shipped ones with the user's overrides merged in, then the user's own."""
    shipped = Path(os.environ.get("KINETRA_JOBS", shipped_configs_dir() / "jobs.yaml"))
    merged: dict[str, dict[str, Any]] = {j["name"]: dict(j) for j in _read(shipped)}
    user = user_jobs_path(home)
    for raw in _read(user):
        base = dict(merged.get(raw["name"], {}))
        if "cron" in raw or "interval" in raw:  # a user's trigger replaces the shipped one, whichever form
            base.pop("cron", None)
            base.pop("interval", None)
        merged[raw["name"]] = base | raw
    return {name: _validate(raw, user if any(j["name"] == name for j in _read(user)) else shipped)
            for name, raw in merged.items()}


def update_job(name: str, home: Path | None = None, **changes: Any) -> JobSpec:
    """Change a job's fields in the user's jobs.yaml after validating the result; return the new job."""
    jobs = load_jobs(home)
    if name not in jobs:
        raise ConfigError(f"no job {name!r} (jobs: {', '.join(jobs) or 'none'})")
    if "cron" in changes and changes["cron"] is not None:
        changes.setdefault("interval", None)
    if "interval" in changes and changes["interval"] is not None:
        changes.setdefault("cron", None)
    candidate = jobs[name].model_dump() | changes
    job = _validate(candidate, user_jobs_path(home))
    path = user_jobs_path(home)
    entries = _read(path)
    entry = next((e for e in entries if e["name"] == name), None)
    if entry is None:
        entry = {"name": name}
        entries.append(entry)
    entry.update(changes)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump({"jobs": entries}, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)
    return job
