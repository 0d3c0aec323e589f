"""The feature registry: each feature's name, parameters with defaults, version and kernel call.

A feature function takes a `BarArrays` (contiguous float64 bar columns plus a memo, so shared
intermediates such as velocity are computed once per call) and its resolved parameters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kinetra.errors import FeatureParamError, UnknownFeatureError
from kinetra.features import normalise, orderflow, physics

INPUT_COLUMNS = ("open", "high", "low", "close", "tick_volume")


class BarArrays:
    """Bar columns as contiguous float64 arrays, with a memo of computed features keyed by name+params."""

    def __init__(self, bars: pd.DataFrame) -> None:
        n = len(bars)
        self.columns = {
            col: np.ascontiguousarray(bars[col].to_numpy(dtype=np.float64, na_value=np.nan))
            if col in bars.columns else np.full(n, np.nan)
            for col in INPUT_COLUMNS
        }
        self._memo: dict[tuple, np.ndarray] = {}

    def __getitem__(self, col: str) -> np.ndarray:
        return self.columns[col]

    def feature(self, name: str, **params: Any) -> np.ndarray:
        """Return a feature's values, computed once per distinct parameter set."""
        spec = FEATURES[name]
        resolved = spec.resolve(params)
        key = (name, tuple(sorted(resolved.items())))
        if key not in self._memo:
            self._memo[key] = spec.func(self, **resolved)
        return self._memo[key]


@dataclass(frozen=True)
class FeatureSpec:
    """One registered feature: what it measures, its parameters with defaults, its version and function."""

    name: str
    description: str
    func: Callable[..., np.ndarray]
    params: dict[str, Any] = field(default_factory=dict)
    version: int = 1

    def resolve(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """Merge given parameters over the defaults, rejecting unknown names and bad values."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise FeatureParamError(f"feature {self.name} has no parameter {unknown[0]!r}"
                                    f" (has: {', '.join(self.params) or 'none'})")
        out = dict(self.params)
        for key, value in given.items():
            out[key] = _check_param(self.name, key, value, self.params[key])
        return out

    def to_json(self) -> dict[str, Any]:
        """Return name, description, params and version as plain data."""
        return {"name": self.name, "description": self.description, "params": dict(self.params),
                "version": self.version}


def _check_param(feature: str, key: str, value: Any, default: Any) -> Any:
    """Validate one parameter against its default's type: ints >= 1 (bins >= 2), floats >= 0."""
    if isinstance(default, int):
        minimum = 2 if key == "bins" else 1
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
            raise FeatureParamError(f"feature {feature}: {key} must be an integer >= {minimum}, got {value!r}")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not (value >= 0.0):
        raise FeatureParamError(f"feature {feature}: {key} must be a number >= 0, got {value!r}")
    return float(value)


def _velocity(b: BarArrays) -> np.ndarray:
    return physics.log_velocity(b["close"])


def _mass(b: BarArrays, window: int) -> np.ndarray:
    return physics.relative_mass(b["tick_volume"], window)


def _energy(b: BarArrays, mass_window: int) -> np.ndarray:
    return physics.kinetic_energy(b.feature("velocity"), b.feature("mass", window=mass_window))


def _acceleration(b: BarArrays) -> np.ndarray:
    return physics.difference(b.feature("velocity"))


def _jerk(b: BarArrays) -> np.ndarray:
    return physics.difference(b.feature("acceleration"))


def _damping(b: BarArrays, window: int) -> np.ndarray:
    return physics.damping_from_autocorr(physics.rolling_autocorr(b.feature("velocity"), window))


def _regime(b: BarArrays, window: int, band: float) -> np.ndarray:
    return physics.damping_regime(b.feature("damping_ratio", window=window), band)


def _entropy(b: BarArrays, window: int, bins: int) -> np.ndarray:
    return physics.rolling_entropy(b.feature("velocity"), window, bins)


def _reynolds(b: BarArrays, window: int) -> np.ndarray:
    return physics.rolling_reynolds(b.feature("velocity"), window)


def _viscosity(b: BarArrays, window: int, mass_window: int) -> np.ndarray:
    return physics.rolling_viscosity(b["high"], b["low"], b.feature("mass", window=mass_window), window)


def _pressure(buy: bool) -> Callable[[BarArrays], np.ndarray]:
    def func(b: BarArrays) -> np.ndarray:
        return orderflow.pressure(b["high"], b["low"], b["close"], b["tick_volume"], buy)
    return func


def _flow(b: BarArrays, window: int) -> np.ndarray:
    return orderflow.rolling_flow(b.feature("buy_pressure"), b.feature("sell_pressure"), window)


def _streak(up: bool) -> Callable[[BarArrays], np.ndarray]:
    def func(b: BarArrays) -> np.ndarray:
        return orderflow.streak(b.feature("velocity"), up)
    return func


def _semivariance(b: BarArrays, window: int) -> np.ndarray:
    return orderflow.rolling_semivariance_ratio(b.feature("velocity"), window)


def _ranked(base: str) -> Callable[..., np.ndarray]:
    def func(b: BarArrays, rank_window: int, **base_params: Any) -> np.ndarray:
        return normalise.rolling_rank(b.feature(base, **base_params), rank_window)
    return func


_BASE: list[FeatureSpec] = [
    FeatureSpec("velocity", "log return of the close, ln(c[t]/c[t-1])", _velocity),
    FeatureSpec("mass", "tick volume over its trailing mean; 1 where volume is absent", _mass, {"window": 50}),
    FeatureSpec("kinetic_energy", "0.5 * mass * velocity^2", _energy, {"mass_window": 50}),
    FeatureSpec("acceleration", "velocity[t] - velocity[t-1]", _acceleration),
    FeatureSpec("jerk", "acceleration[t] - acceleration[t-1]", _jerk),
    FeatureSpec("damping_ratio", "zeta = sqrt((1+rho)/(1-rho)), rho = rolling lag-1 autocorrelation of velocity",
                _damping, {"window": 50}),
    FeatureSpec("damping_regime", "0 underdamped (zeta < 1-band), 1 critical, 2 overdamped (zeta > 1+band)",
                _regime, {"window": 50, "band": 0.1}),
    FeatureSpec("entropy", "Shannon entropy of velocity in equal-width bins over the window, in [0, 1]",
                _entropy, {"window": 100, "bins": 10}),
    FeatureSpec("reynolds", "trend over volatility: |mean velocity| / std velocity over the window",
                _reynolds, {"window": 20}),
    FeatureSpec("viscosity", "mean mass / mean ln(high/low) over the window: volume needed per unit of range",
                _viscosity, {"window": 20, "mass_window": 50}),
    FeatureSpec("buy_pressure", "(close - low)/(high - low) times tick volume", _pressure(True)),
    FeatureSpec("sell_pressure", "(high - close)/(high - low) times tick volume", _pressure(False)),
    FeatureSpec("order_flow", "(sum buy - sum sell)/(sum buy + sum sell) over the window, in [-1, 1]",
                _flow, {"window": 20}),
    FeatureSpec("up_streak", "consecutive up closes ending at the bar", _streak(True)),
    FeatureSpec("down_streak", "consecutive down closes ending at the bar", _streak(False)),
    FeatureSpec("semivariance_ratio", "upside over downside semivariance of velocity over the window",
                _semivariance, {"window": 50}),
]

_RANKED = ("kinetic_energy", "entropy", "reynolds", "viscosity", "order_flow")


def _ranked_specs() -> list[FeatureSpec]:
    base = {spec.name: spec for spec in _BASE}
    return [FeatureSpec(f"{name}_rank", f"percentile of {name} within the trailing rank_window, in [0, 1]",
                        _ranked(name), {"rank_window": 100} | base[name].params)
            for name in _RANKED]


FEATURES: dict[str, FeatureSpec] = {spec.name: spec for spec in _BASE + _ranked_specs()}


def get_spec(name: str) -> FeatureSpec:
    """Return a feature's spec or raise UnknownFeatureError naming it."""
    try:
        return FEATURES[name]
    except KeyError:
        raise UnknownFeatureError(f"unknown feature {name!r} (see kinetra.features.registry())") from None


def resolve(names: list[str] | None, params: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Map each requested feature (all when `names` is None) to its resolved parameters."""
    params = params or {}
    chosen = list(FEATURES) if names is None else list(dict.fromkeys(names))
    for extra in sorted(set(params) - set(chosen)):
        get_spec(extra)
        raise FeatureParamError(f"parameters given for feature {extra!r}, which was not requested")
    return {name: get_spec(name).resolve(params.get(name)) for name in chosen}


def feature_key(resolved: dict[str, dict[str, Any]]) -> str:
    """Return a digest of the requested features, their parameters and versions (the cache's version key)."""
    payload = [[name, FEATURES[name].version, sorted(p.items())] for name, p in resolved.items()]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:32]
