"""Kinetra: the headless core shared by the CLI, the TUI and background jobs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kinetra")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"
