"""The APScheduler wiring: the store-backed scheduler, syncing it with the schedules, pause and resume.

Jobs coalesce (a backlog of missed runs fires once), run one instance at a time, and a run missed
while no daemon was up still fires when it is at most `misfire_grace_seconds` late.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from kinetra.errors import ConfigError
from kinetra.jobs.jobstore import StoreJobStore
from kinetra.jobs.schedules import JobSpec, load_jobs

TASK = "kinetra.jobs.launch:run_scheduled"


def make_scheduler(store: Any, workers: int = 4) -> BackgroundScheduler:
    """A scheduler whose jobs live in the store (the daemon's own heartbeat lives in memory)."""
    from apscheduler.executors.pool import ThreadPoolExecutor

    return BackgroundScheduler(
        jobstores={"default": StoreJobStore(store), "internal": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1}, timezone="UTC")


def sync(scheduler: BackgroundScheduler, jobs: dict[str, JobSpec]) -> None:
    """Make the scheduler hold exactly the enabled jobs with their triggers; paused ones stay paused."""
    held = {j.id: j for j in scheduler.get_jobs(jobstore="default")}
    for name, spec in jobs.items():
        job = held.pop(name, None)
        if not spec.enabled:
            if job is not None:
                scheduler.remove_job(name, jobstore="default")
            continue
        trigger = spec.trigger()
        if job is None:
            scheduler.add_job(TASK, trigger=trigger, args=[name], id=name, name=name, jobstore="default",
                              misfire_grace_time=spec.misfire_grace_seconds, coalesce=True, max_instances=1,
                              replace_existing=True)
        elif str(job.trigger) != str(trigger) or job.misfire_grace_time != spec.misfire_grace_seconds:
            paused = job.next_run_time is None
            scheduler.modify_job(name, jobstore="default", misfire_grace_time=spec.misfire_grace_seconds)
            scheduler.reschedule_job(name, jobstore="default", trigger=trigger)
            if paused:
                scheduler.pause_job(name, jobstore="default")
    for name in held:  # jobs no longer in any jobs.yaml
        scheduler.remove_job(name, jobstore="default")


class _EditingScheduler(BackgroundScheduler):
    """A scheduler that only edits the job store: it never executes a job (not even while shutting down)."""

    def _process_jobs(self) -> None:
        return None


def _with_scheduler(store: Any, action: Any) -> Any:
    from apscheduler.executors.pool import ThreadPoolExecutor

    scheduler = _EditingScheduler(jobstores={"default": StoreJobStore(store), "internal": MemoryJobStore()},
                                  executors={"default": ThreadPoolExecutor(1)}, timezone="UTC")
    scheduler.start(paused=True)
    try:
        sync(scheduler, load_jobs())
        return action(scheduler)
    finally:
        scheduler.shutdown(wait=False)


def set_paused(store: Any, name: str, paused: bool) -> None:
    """Pause or resume a job in the store's job store; a running daemon sees it at its next wake-up."""
    jobs = load_jobs()
    if name not in jobs:
        raise ConfigError(f"no job {name!r} (jobs: {', '.join(jobs)})")
    if not jobs[name].enabled:
        raise ConfigError(f"job {name!r} is disabled: enable it first (kinetra jobs enable {name})")

    def act(scheduler: BackgroundScheduler) -> None:
        (scheduler.pause_job if paused else scheduler.resume_job)(name, jobstore="default")

    _with_scheduler(store, act)


def fire_now(store: Any, name: str) -> None:
    """Make an enabled job due now; the running daemon starts it within a heartbeat."""
    jobs = load_jobs()
    if name not in jobs or not jobs[name].enabled:
        raise ConfigError(f"job {name!r} is not an enabled job")
    _with_scheduler(store, lambda s: s.modify_job(name, jobstore="default", next_run_time=datetime.now(UTC)))


def overview(store: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every job: kind, schedule in words, enabled, paused, next run, and its last execution."""
    from kinetra.jobs.launch import history

    now = now or datetime.now(UTC)
    with store.session() as con:
        held = dict(con.execute("SELECT id, next_run_time FROM scheduler_jobs").fetchall())
    last = {}
    for item in history(store, limit=500):
        last.setdefault(item["job"], item)
    out = []
    for name, spec in load_jobs().items():
        paused = spec.enabled and name in held and held[name] is None
        if not spec.enabled or paused:
            nxt = None
        elif name in held:
            nxt = datetime.fromtimestamp(held[name], UTC)
        else:
            nxt = spec.trigger().get_next_fire_time(None, now)
        out.append({
            "name": name, "kind": spec.kind, "schedule": spec.human(), "cron": spec.cron, "interval": spec.interval,
            "timezone": spec.timezone, "enabled": spec.enabled, "paused": bool(paused),
            "next_run": nxt.astimezone(UTC).isoformat().replace("+00:00", "Z") if nxt else None,
            "last_status": last.get(name, {}).get("status"), "last_ended": last.get(name, {}).get("ended_at"),
            "last_summary": last.get(name, {}).get("summary"), "last_error": last.get(name, {}).get("error"),
            "description": spec.description,
        })
    return out
