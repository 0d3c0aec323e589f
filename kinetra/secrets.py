"""Secrets (the MetaAPI token): read from the environment or a 0600 file, never shown anywhere.

A `Secret` prints as `***`, and `redact` scrubs a known secret out of any text (SDK errors, log
records) before it reaches a run record, a log file, a screen or an error line.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from pathlib import Path

from kinetra.errors import ConfigError
from kinetra.paths import kinetra_home

TOKEN_ENV = "KINETRA_METAAPI_TOKEN"
SECRETS_FILE = "secrets.toml"
MASK = "***"


class Secret:
    """A secret value that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: hand it to the SDK and nowhere else."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__


def secrets_path(home: Path | None = None) -> Path:
    """Return `$KINETRA_HOME/secrets.toml`."""
    return (home or kinetra_home()) / SECRETS_FILE


def _from_file(path: Path) -> str | None:
    if not path.exists():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by others (mode {mode:04o}); fix it with: chmod 600 {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        raise ConfigError(f"{path}: not valid TOML; write one line: metaapi_token = \"...\"") from None
    value = data.get("metaapi_token")
    return value if isinstance(value, str) and value.strip() else None


def metaapi_token(home: Path | None = None) -> Secret:
    """Return the MetaAPI token from KINETRA_METAAPI_TOKEN or the 0600 secrets file, or raise ConfigError."""
    value = os.environ.get(TOKEN_ENV, "").strip() or _from_file(secrets_path(home))
    if not value:
        raise ConfigError(f"no MetaAPI token: set {TOKEN_ENV} or put metaapi_token = \"...\" in "
                          f"{secrets_path(home)} (chmod 600)")
    return Secret(value.strip())


def redact(text: str, *secrets: Secret | None) -> str:
    """Return `text` with every given secret replaced by ***."""
    for secret in secrets:
        if secret is not None and secret.reveal():
            text = text.replace(secret.reveal(), MASK)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs a secret from every record passing through a handler."""

    def __init__(self, secret: Secret) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secret)
        record.args = ()
        return True


def guard_logging(secret: Secret) -> None:
    """Install a redacting filter on every handler of the root logger (and on its last resort)."""
    flt = RedactingFilter(secret)
    handlers = list(logging.getLogger().handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
