"""The Agent protocol, parameter specs with validation, and the base shared by rule agents."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from kinetra.errors import AgentParamError


@runtime_checkable
class Agent(Protocol):
    """Turns bars and features into a target position per bar in [-1, 1] (fraction of equity, sign = side).

    The position at bar t is decided from data up to bar t and filled by the backtester at bar t+1's open.
    """

    name: str

    @property
    def params(self) -> dict[str, Any]:
        """The agent's parameters, defaults filled in."""
        ...

    def fit(self, bars: pd.DataFrame, features: pd.DataFrame | None = None) -> None:
        """Learn from history (a no-op for rule agents)."""
        ...

    def positions(self, bars: pd.DataFrame, features: pd.DataFrame | None = None) -> np.ndarray:
        """Return float64 target positions, one per bar, in [-1, 1]."""
        ...


@dataclass(frozen=True)
class Param:
    """One agent parameter: default, type, inclusive bounds and a one-line meaning."""

    name: str
    default: int | float | bool
    doc: str
    minimum: float | None = None
    maximum: float | None = None

    def check(self, agent: str, value: Any) -> int | float | bool:
        """Return the value coerced to the parameter's type, or raise AgentParamError naming it."""
        kind = type(self.default)
        if kind is bool:
            ok = isinstance(value, bool | np.bool_)
        elif kind is int:
            ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
        if not ok:
            raise AgentParamError(f"agent {agent}: {self.name} must be {kind.__name__}, got {value!r}")
        value = kind(value)
        if kind is not bool and not self._in_range(value):
            raise AgentParamError(f"agent {agent}: {self.name} must be in {self._range()}, got {value!r}")
        return value

    def _in_range(self, value: float) -> bool:
        low = self.minimum is None or value >= self.minimum
        return bool(low and (self.maximum is None or value <= self.maximum) and value == value)

    def _range(self) -> str:
        lo = "-inf" if self.minimum is None else f"{self.minimum:g}"
        hi = "inf" if self.maximum is None else f"{self.maximum:g}"
        return f"[{lo}, {hi}]"


class RuleAgent(ABC):
    """Base of agents driven by a fixed rule: validated params, no fitting, features computed on demand."""

    name: ClassVar[str] = ""
    PARAMS: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, **params: Any) -> None:
        specs = {p.name: p for p in self.PARAMS}
        unknown = sorted(set(params) - set(specs))
        if unknown:
            raise AgentParamError(f"agent {self.name} has no parameter {unknown[0]!r}"
                                  f" (has: {', '.join(specs) or 'none'})")
        self._params = {p.name: p.default for p in self.PARAMS}
        self._params |= {key: specs[key].check(self.name, value) for key, value in params.items()}
        self.validate()

    @property
    def params(self) -> dict[str, Any]:
        """The agent's parameters, defaults filled in."""
        return dict(self._params)

    def validate(self) -> None:
        """Check constraints between parameters (none by default)."""

    def fit(self, bars: pd.DataFrame, features: pd.DataFrame | None = None) -> None:
        """Rule agents do not learn."""

    def positions(self, bars: pd.DataFrame, features: pd.DataFrame | None = None) -> np.ndarray:
        """Return float64 target positions, one per bar, in [-1, 1]."""
        return np.clip(np.asarray(self._positions(bars, features), dtype=np.float64), -1.0, 1.0)

    @abstractmethod
    def _positions(self, bars: pd.DataFrame, features: pd.DataFrame | None) -> np.ndarray:
        """The rule itself: raw positions per bar from data up to each bar."""

    @classmethod
    def description(cls) -> str:
        """The agent's one-paragraph docstring, whitespace collapsed."""
        return " ".join(inspect.getdoc(cls).split()) if cls.__doc__ else ""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"


def column(bars: pd.DataFrame, name: str) -> np.ndarray:
    """Return a bar column as a contiguous float64 array (NaN where absent)."""
    if name not in bars.columns:
        return np.full(len(bars), np.nan)
    return np.ascontiguousarray(bars[name].to_numpy(dtype=np.float64, na_value=np.nan))


def feature(bars: pd.DataFrame, features: pd.DataFrame | None, name: str, params: dict[str, Any]) -> np.ndarray:
    """Return a feature column: from `features` when it has it, else computed from `bars` with `params`."""
    if features is not None and name in features.columns:
        return np.ascontiguousarray(features[name].to_numpy(dtype=np.float64, na_value=np.nan))
    from kinetra.features import compute

    return np.ascontiguousarray(compute(bars, [name], {name: params})[name].to_numpy(dtype=np.float64))
