"""Schedules: validation that names the job and field, words for people, edits that validate first."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinetra.errors import ConfigError
from kinetra.jobs.schedules import load_jobs, update_job


def write(home: Path, text: str) -> None:
    (home / "jobs.yaml").write_text(text)


def test_the_shipped_jobs_load_disabled_with_readable_schedules() -> None:
    jobs = load_jobs()
    assert {"refresh", "health", "fill", "backup", "research"} <= set(jobs)
    assert not any(j.enabled for j in jobs.values())
    assert jobs["refresh"].human() == "every day at 06:00 UTC"
    assert jobs["fill"].human() == "every Sat at 07:00 UTC"


@pytest.mark.parametrize(("entry", "words"), [
    ("{name: x, kind: refresh, cron: '61 6 * * *'}", "job 'x': cron: cron '61 6 * * *' is not a valid crontab"),
    ("{name: x, kind: refresh, interval: 5x}", "job 'x': interval: interval '5x' is not like"),
    ("{name: x, kind: refresh, cron: '0 6 * * *', interval: 1h}", "job 'x': job: give exactly one of cron or interval"),
    ("{name: x, kind: sing, interval: 1h}", "job 'x': kind:"),
    ("{name: x, kind: health, interval: 1h, timezone: Mars/Olympus}", "job 'x': timezone: unknown timezone"),
    ("{name: x, kind: health, interval: 1h, colour: red}", "job 'x': colour: unknown field"),
    ("{name: x, kind: health, interval: 1h, args: {fail_under: 300}}", "args.fail_under must be a score"),
    ("{name: x, kind: test, interval: 1d}", "job 'x': job: args.suite must name a test suite"),
    ("{name: x, kind: test, interval: 1d, args: {suite: nope}}", "args.suite: no suite 'nope'"),
])
def test_an_invalid_schedule_is_one_line_naming_job_and_field(kinetra_home: Path, entry: str, words: str) -> None:
    write(kinetra_home, f"jobs:\n  - {entry}\n")
    with pytest.raises(ConfigError) as err:
        load_jobs()
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_user_job_overrides_only_the_fields_it_sets(kinetra_home: Path) -> None:
    write(kinetra_home, "jobs:\n  - {name: health, enabled: true, args: {fail_under: 90}}\n"
                        "  - {name: hourly, kind: health, interval: 1h}\n")
    jobs = load_jobs()
    assert jobs["health"].enabled and jobs["health"].args == {"fail_under": 90}
    assert jobs["health"].cron == "30 6 * * *"
    assert jobs["hourly"].human() == "every hour"


@pytest.mark.parametrize(("cron", "words"), [
    ("0 6 * * *", "every day at 06:00 Europe/London"), ("15 * * * *", "every hour at :15"),
    ("0 22 * * 1-5", "weekdays at 22:00 Europe/London"), ("0 6 1 * *", "cron 0 6 1 * * (Europe/London)"),
])
def test_schedules_in_words(kinetra_home: Path, cron: str, words: str) -> None:
    job = update_job("refresh", cron=cron, timezone="Europe/London")
    assert job.human() == words


def test_an_edit_is_validated_before_it_is_written(kinetra_home: Path) -> None:
    update_job("refresh", interval="30m", enabled=True)
    before = (kinetra_home / "jobs.yaml").read_text()
    with pytest.raises(ConfigError, match="interval"):
        update_job("refresh", interval="fortnightly")
    assert (kinetra_home / "jobs.yaml").read_text() == before
    job = load_jobs()["refresh"]
    assert (job.interval, job.cron, job.enabled) == ("30m", None, True)
    with pytest.raises(ConfigError, match="no job 'nope'"):
        update_job("nope", enabled=True)


@pytest.mark.parametrize(("cron", "days"), [
    ("0 3 * * 0", {"Sun"}), ("0 3 * * 7", {"Sun"}), ("0 22 * * 1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
    ("0 7 * * 6", {"Sat"}), ("0 7 * * 1,3", {"Mon", "Wed"}), ("0 7 * * *", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
])
def test_numeric_weekdays_keep_their_crontab_meaning(kinetra_home: Path, cron: str, days: set[str]) -> None:
    from datetime import UTC, datetime

    trigger = update_job("backup", cron=cron).trigger()
    at, seen = datetime(2026, 11, 23, tzinfo=UTC), set()
    for _ in range(14):
        at = trigger.get_next_fire_time(None, at)
        seen.add(at.strftime("%a"))
        at = at.replace(microsecond=1)
    assert seen == days
