"""The verdict on one candidate: "edge" only when every test a skeptical quant would ask for passes.

The three questions, each answered by a separate statistic: is the timing better than chance
after correcting for how many candidates were tried (the q-value of the permutation p-value)?
Is the Sharpe ratio still convincing after deflating for the trials and for non-normal returns
(the DSR)? Did choosing this configuration among its siblings pick a real winner rather than noise
(the PBO of its group)? A candidate failing any one is "no edge", with every failed test named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EDGE = "edge"
NO_EDGE = "no edge"


class VerdictConfig(BaseModel):
    """Thresholds and resampling settings of the verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float = Field(0.05, gt=0, lt=1)
    """Significance level the adjusted q-value must not exceed."""
    correction: Literal["bh", "by", "holm", "bonferroni", "none"] = "bh"
    """Multiple-testing correction over the whole family of candidates (bh: Benjamini-Hochberg FDR)."""
    dsr_min: float = Field(0.95, ge=0, le=1)
    """Smallest Deflated Sharpe Ratio accepted (the probability the Sharpe beats the best of N noise trials)."""
    pbo_max: float = Field(0.5, ge=0, le=1)
    """Largest Probability of Backtest Overfitting accepted for the candidate's group."""
    n_boot: int = Field(1000, ge=0)
    """Bootstrap draws for the Sharpe confidence interval (0: no interval)."""
    n_null: int = Field(1000, ge=1)
    """Draws of the null distribution behind each p-value."""
    null: Literal["random_entry", "sign_flip", "bootstrap"] = "random_entry"
    """Null hypothesis of the p-value: random entries with the same trades, sign flips, or centred bootstrap."""
    null_statistic: Literal["sharpe", "mean_trade", "total_return", "profit_factor"] = "sharpe"
    """Statistic compared with its null (mean_trade only with the random-entry null)."""
    level: float = Field(0.95, gt=0, lt=1)
    """Confidence level of the bootstrap interval."""
    pbo_blocks: int = Field(16, ge=2)
    """CSCV blocks S (even) for the PBO: C(S, S/2) train/test splits."""
    seed: int = 0
    """Seed of every random draw; the same seed reproduces every number bit for bit."""


@dataclass(frozen=True)
class CandidateStats:
    """What the verdict looks at for one candidate; NaN marks a statistic that could not be computed."""

    name: str
    q_value: float
    dsr: float
    pbo: float = math.nan
    """PBO of the candidate's group; NaN when the group has a single configuration (nothing was selected)."""


def verdict(stats: CandidateStats, config: VerdictConfig | None = None) -> tuple[str, list[str]]:
    """Return ("edge", []) if q <= alpha, DSR >= dsr_min and PBO <= pbo_max; else ("no edge", failed tests).

    An undefined q-value or DSR fails; an undefined PBO (a group of one) is not held against the
    candidate, since no selection within its group took place.
    """
    config = config or VerdictConfig()
    reasons = []
    if not stats.q_value <= config.alpha:
        reasons.append(f"q {_num(stats.q_value)} > {config.alpha:g}")
    if not stats.dsr >= config.dsr_min:
        reasons.append(f"DSR {_num(stats.dsr)} < {config.dsr_min:g}")
    if math.isfinite(stats.pbo) and stats.pbo > config.pbo_max:
        reasons.append(f"PBO {_num(stats.pbo)} > {config.pbo_max:g}")
    return (NO_EDGE, reasons) if reasons else (EDGE, [])


def _num(value: float) -> str:
    """Three significant digits, or "undefined" for NaN."""
    return f"{value:.3g}" if math.isfinite(value) else "undefined"
