"""Shared test helpers: MT5 file writers, run tasks for process tests."""
