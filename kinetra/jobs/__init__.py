"""Scheduled background jobs: schedules, the APScheduler daemon, job history."""
