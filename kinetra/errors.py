"""Typed errors of the core: every one carries a one-line message a person can act on."""

from __future__ import annotations


class KinetraError(Exception):
    """Base of every error the core raises on purpose; the CLI and TUI show `str(err)`."""

    exit_code = 1


class ConfigError(KinetraError):
    """A config file, key or value is invalid; the message names it."""

    exit_code = 2


class StoreError(KinetraError):
    """The store could not be opened, locked or migrated."""


class StoreBusyError(StoreError):
    """Another process held the store lock past the retry budget."""


class MalformedFileError(KinetraError):
    """An input file cannot be read as bars; nothing from it was stored."""

    exit_code = 3

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class TimeframeMismatchError(MalformedFileError):
    """A file's bar spacing disagrees with its declared timeframe."""


class UnknownSeriesError(KinetraError):
    """A symbol/timeframe pair is not in the store."""

    exit_code = 4


class UnknownRunError(KinetraError):
    """A run id is not in the store."""

    exit_code = 4


class UnknownSuiteError(KinetraError):
    """A test suite name is neither shipped nor in KINETRA_HOME/suites, nor a YAML file."""

    exit_code = 4


class RunCancelled(KinetraError):
    """Raised inside a run when cancellation was requested; the run ends `cancelled`."""


class BacktestInputError(KinetraError):
    """Bars, positions or options given to a backtest are unusable; nothing was simulated."""

    exit_code = 2


class ResearchInputError(KinetraError):
    """Returns, p-values or settings given to a research statistic are unusable; nothing was computed."""

    exit_code = 2


class UnknownFeatureError(KinetraError):
    """A feature name is not in the feature registry."""

    exit_code = 2


class FeatureParamError(KinetraError):
    """A feature parameter is unknown or out of range; the message names it."""

    exit_code = 2


class UnknownAgentError(KinetraError):
    """An agent name is not in the agent registry."""

    exit_code = 2


class AgentParamError(KinetraError):
    """An agent parameter is unknown, mistyped or out of range; the message names it."""

    exit_code = 2


class UsageError(KinetraError):
    """A command was given an incomplete or contradictory set of arguments."""

    exit_code = 2
