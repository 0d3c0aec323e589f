"""APScheduler's job store kept in the Kinetra store, so pause state and next run times survive restarts.

It mirrors APScheduler's own SQLAlchemy store (pickled job state, next run time as a UTC
timestamp) over our short, file-locked DuckDB transactions instead of a long-lived connection.
"""

from __future__ import annotations

import pickle
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime


class StoreJobStore(BaseJobStore):
    """Jobs in the `scheduler_jobs` table."""

    def __init__(self, store: Any, pickle_protocol: int = pickle.HIGHEST_PROTOCOL) -> None:
        super().__init__()
        self.store = store
        self.pickle_protocol = pickle_protocol

    def lookup_job(self, job_id: str) -> Job | None:
        with self.store.session() as con:
            row = con.execute("SELECT job_state FROM scheduler_jobs WHERE id = ?", [job_id]).fetchall()
        return self._job(row[0][0]) if row else None

    def get_due_jobs(self, now: Any) -> list[Job]:
        return self._jobs("WHERE next_run_time <= ?", [datetime_to_utc_timestamp(now)])

    def get_next_run_time(self) -> Any:
        with self.store.session() as con:
            row = con.execute("SELECT min(next_run_time) FROM scheduler_jobs WHERE next_run_time IS NOT NULL").fetchall()
        return utc_timestamp_to_datetime(row[0][0]) if row and row[0][0] is not None else None

    def get_all_jobs(self) -> list[Job]:
        jobs = self._jobs("", [])
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def add_job(self, job: Job) -> None:
        with self.store.session() as con:
            if con.execute("SELECT 1 FROM scheduler_jobs WHERE id = ?", [job.id]).fetchall():
                raise ConflictingIdError(job.id)
            con.execute("INSERT INTO scheduler_jobs VALUES (?, ?, ?)", [job.id, *self._row(job)])

    def update_job(self, job: Job) -> None:
        with self.store.session() as con:
            if not con.execute("SELECT 1 FROM scheduler_jobs WHERE id = ?", [job.id]).fetchall():
                raise JobLookupError(job.id)
            con.execute("UPDATE scheduler_jobs SET next_run_time = ?, job_state = ? WHERE id = ?",
                        [*self._row(job), job.id])

    def remove_job(self, job_id: str) -> None:
        with self.store.session() as con:
            if not con.execute("SELECT 1 FROM scheduler_jobs WHERE id = ?", [job_id]).fetchall():
                raise JobLookupError(job_id)
            con.execute("DELETE FROM scheduler_jobs WHERE id = ?", [job_id])

    def remove_all_jobs(self) -> None:
        with self.store.session() as con:
            con.execute("DELETE FROM scheduler_jobs")

    def _row(self, job: Job) -> list[Any]:
        return [datetime_to_utc_timestamp(job.next_run_time), pickle.dumps(job.__getstate__(), self.pickle_protocol)]

    def _job(self, state: bytes) -> Job:
        data = pickle.loads(state)  # noqa: S301 - our own store, written by this class
        data["jobstore"] = self
        job = Job.__new__(Job)
        job.__setstate__(data)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def _jobs(self, where: str, args: list[Any]) -> list[Job]:
        with self.store.session() as con:
            rows = con.execute(f"SELECT id, job_state FROM scheduler_jobs {where} ORDER BY next_run_time",
                               args).fetchall()
        jobs, broken = [], []
        for job_id, state in rows:
            try:
                jobs.append(self._job(state))
            except Exception:  # noqa: BLE001 - a job that no longer unpickles is dropped, as APScheduler does
                self._logger.exception('Unable to restore job "%s" -- removing it', job_id)
                broken.append(job_id)
        if broken:
            with self.store.session() as con:
                for job_id in broken:
                    con.execute("DELETE FROM scheduler_jobs WHERE id = ?", [job_id])
        return jobs
