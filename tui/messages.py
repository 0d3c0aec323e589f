"""Messages workers post to screens: past tense, facts about what was loaded or happened."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class SummaryLoaded(Message):
    """Home's store summary and recent runs were read."""

    def __init__(self, summary: dict[str, Any], runs: list[Any], health: list[dict[str, Any]]) -> None:
        super().__init__()
        self.summary = summary
        self.runs = runs
        self.health = health


class SeriesLoaded(Message):
    """The series inventory was read."""

    def __init__(self, series: list[Any]) -> None:
        super().__init__()
        self.series = series


class BarsLoaded(Message):
    """Bars of one series were read."""

    def __init__(self, bars: Any) -> None:
        super().__init__()
        self.bars = bars


class RunsLoaded(Message):
    """A list of runs was read."""

    def __init__(self, runs: list[Any]) -> None:
        super().__init__()
        self.runs = runs


class RunProgressed(Message):
    """A watched run's record was re-read."""

    def __init__(self, run: Any) -> None:
        super().__init__()
        self.run = run

    def can_replace(self, message: Message) -> bool:
        """A newer reading of the same run makes an unprocessed older one moot."""
        return isinstance(message, RunProgressed) and message.run.id == self.run.id


class HealthLoaded(Message):
    """The latest health report of every series was read."""

    def __init__(self, reports: list[dict[str, Any]]) -> None:
        super().__init__()
        self.reports = reports


class JobsLoaded(Message):
    """Every job's overview and the daemon's status were read (or the schedules could not be read)."""

    def __init__(self, jobs: list[dict[str, Any]], daemon: dict[str, Any], error: str | None = None) -> None:
        super().__init__()
        self.jobs = jobs
        self.daemon = daemon
        self.error = error


class JobChanged(Message):
    """A job was run, paused, resumed, enabled, disabled or rescheduled, or the daemon was started."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class JobHistoryLoaded(Message):
    """One job's executions were read, newest first."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__()
        self.items = items


class ScheduleRejected(Message):
    """A schedule edit failed validation; nothing was written."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ScheduleSaved(Message):
    """A schedule edit was validated and written."""

    def __init__(self, schedule: str) -> None:
        super().__init__()
        self.schedule = schedule

class SourceChecked(Message):
    """Whether MetaAPI is usable was checked: the source to offer first and why."""

    def __init__(self, source: str, broker: str | None, problem: str | None) -> None:
        super().__init__()
        self.source = source
        self.broker = broker
        self.problem = problem


class SymbolsLoaded(Message):
    """A source's symbol list (or the universe's, when the source cannot list them) was read."""

    def __init__(self, source: str, symbols: list[str], note: str) -> None:
        super().__init__()
        self.source = source
        self.symbols = symbols
        self.note = note


class DownloadProgressed(Message):
    """A followed download run and its per-series progress rows were re-read."""

    def __init__(self, run: Any, rows: list[dict[str, Any]], live: bool) -> None:
        super().__init__()
        self.run = run
        self.rows = rows
        self.live = live
        """True when this screen saw the run still active (so its end deserves a notification)."""

    def can_replace(self, message: Message) -> bool:
        """A newer reading of the same run makes an unprocessed older one moot."""
        return isinstance(message, DownloadProgressed) and message.run.id == self.run.id


class CandidatesLoaded(Message):
    """A finished test run's candidates were read, in the run's order."""

    def __init__(self, run_id: str, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.run_id = run_id
        self.rows = rows


class CandidateLoaded(Message):
    """One candidate's evidence was read: row, stats, equity, Monte Carlo draws and trades."""

    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__()
        self.detail = detail


class ComparisonLoaded(Message):
    """Two test runs' candidates were matched side by side."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.rows = rows


class SuitesLoaded(Message):
    """The suites a person can start (presets and their own) and the agents were read."""

    def __init__(self, suites: dict[str, dict[str, Any]], agents: list[str], problems: list[str]) -> None:
        super().__init__()
        self.suites = suites
        self.agents = agents
        self.problems = problems
        """One line per suite file that could not be loaded."""


class SuiteChecked(Message):
    """A new-run form was validated: the suite as plain data, or why it is not one."""

    def __init__(self, suite: dict[str, Any] | None, error: str | None = None) -> None:
        super().__init__()
        self.suite = suite
        self.error = error


class SuiteRunStarted(Message):
    """A test run was created and its worker spawned."""

    def __init__(self, run_id: str, suite: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.suite = suite


class BacktestOptionsLoaded(Message):
    """The agents (with default params) and the stored series a quick backtest can use were read."""

    def __init__(self, agents: list[Any], series: list[Any]) -> None:
        super().__init__()
        self.agents = agents
        self.series = series


class BacktestFinished(Message):
    """A quick backtest ended: its title and result, or the one-line reason it could not run."""

    def __init__(self, title: str, result: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.title = title
        self.result = result
        self.error = error
