"""The rule agents: SMA crossover, energy momentum, damping reversion, entropy breakout, berserker."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinetra.agents import kernels
from kinetra.agents.base import Param, RuleAgent, column, feature
from kinetra.errors import AgentParamError
from kinetra.features.physics import UNDERDAMPED


class SmaCrossover(RuleAgent):
    """Trend follower and reference agent: long while the fast simple moving average of the close is above
    the slow one, short while it is below (flat instead when `allow_short` is false), flat while either
    average is still warming up or they are equal."""

    name = "sma_crossover"
    PARAMS = (
        Param("fast", 10, "bars in the fast moving average", 1),
        Param("slow", 30, "bars in the slow moving average", 2),
        Param("allow_short", True, "go short below the slow average instead of flat"),
    )

    def validate(self) -> None:
        if self._params["fast"] >= self._params["slow"]:
            raise AgentParamError(f"agent {self.name}: fast ({self._params['fast']}) must be below slow"
                                  f" ({self._params['slow']})")

    def _positions(self, bars: pd.DataFrame, features: pd.DataFrame | None) -> np.ndarray:
        p = self._params
        return kernels.sma_cross(column(bars, "close"), p["fast"], p["slow"], p["allow_short"])


class EnergyMomentum(RuleAgent):
    """Momentum on energetic markets: when the bar's kinetic energy (0.5 m v^2) ranks at or above
    `threshold` within its trailing `rank_window`, take the direction of the close's move over the last
    `lookback` bars; stay flat while energy is ordinary, so it only trades when the market is moving hard."""

    name = "energy_momentum"
    PARAMS = (
        Param("threshold", 0.8, "energy percentile at or above which to trade", 0.0, 1.0),
        Param("rank_window", 100, "bars in the energy percentile window", 2),
        Param("lookback", 5, "bars over which the move's direction is read", 1),
    )

    def _positions(self, bars: pd.DataFrame, features: pd.DataFrame | None) -> np.ndarray:
        p = self._params
        rank = feature(bars, features, "kinetic_energy_rank", {"rank_window": p["rank_window"]})
        return kernels.gated_momentum(column(bars, "close"), rank >= p["threshold"], p["lookback"], 1.0)


class DampingReversion(RuleAgent):
    """Mean reversion in oscillating markets: while the damping regime (from the rolling lag-1
    autocorrelation of log returns over `window` bars) is underdamped, i.e. returns tend to reverse, fade
    the close's move over the last `lookback` bars; flat in critical and overdamped (trending) regimes."""

    name = "damping_reversion"
    PARAMS = (
        Param("window", 50, "bars in the autocorrelation window", 4),
        Param("band", 0.1, "half-width of the critical band around damping ratio 1", 0.0),
        Param("lookback", 3, "bars over which the move to fade is read", 1),
    )

    def _positions(self, bars: pd.DataFrame, features: pd.DataFrame | None) -> np.ndarray:
        p = self._params
        regime = feature(bars, features, "damping_regime", {"window": p["window"], "band": p["band"]})
        return kernels.gated_momentum(column(bars, "close"), regime == UNDERDAMPED, p["lookback"], -1.0)


class EntropyBreakout(RuleAgent):
    """Breakout out of order: while the entropy of returns ranks at or below `threshold` in its trailing
    window (a quiet, compressed market), go long on a close above the prior `channel` bars' high and short
    on a close below their low; hold until the close crosses back through the channel's midpoint."""

    name = "entropy_breakout"
    PARAMS = (
        Param("threshold", 0.3, "entropy percentile at or below which breakouts are taken", 0.0, 1.0),
        Param("rank_window", 100, "bars in the entropy percentile window", 2),
        Param("channel", 20, "bars in the breakout channel (before the current bar)", 1),
    )

    def _positions(self, bars: pd.DataFrame, features: pd.DataFrame | None) -> np.ndarray:
        p = self._params
        rank = feature(bars, features, "entropy_rank", {"rank_window": p["rank_window"]})
        return kernels.channel_breakout(column(bars, "high"), column(bars, "low"), column(bars, "close"),
                                        rank <= p["threshold"], p["channel"])


class Berserker(RuleAgent):
    """Fat-candle momentum burst: when a candle's body is more than `multiplier` times the mean body of
    the prior `window` bars, on above-average tick volume (ignored where volume is absent), charge in the
    candle's direction and hold for `hold` bars; a new burst replaces the old one."""

    name = "berserker"
    PARAMS = (
        Param("window", 20, "bars in the mean body and volume window", 1),
        Param("multiplier", 2.5, "body size, in mean bodies, that counts as fat", 0.0),
        Param("hold", 5, "bars to hold after a burst", 1),
    )

    def _positions(self, bars: pd.DataFrame, features: pd.DataFrame | None) -> np.ndarray:
        p = self._params
        return kernels.fat_candle_burst(column(bars, "open"), column(bars, "close"), column(bars, "tick_volume"),
                                        p["window"], p["multiplier"], p["hold"])


RULE_AGENTS: tuple[type[RuleAgent], ...] = (SmaCrossover, EnergyMomentum, DampingReversion, EntropyBreakout,
                                            Berserker)
