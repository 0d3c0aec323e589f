"""Statistics of test runs: bootstrap intervals, permutation p-values, DSR, PBO, multiple testing, verdicts.

Pure functions over numpy arrays; every random draw takes a seed. See each module for its reference.
"""

from kinetra.research.assess import Assessment, Candidate, assess, candidate_from_backtest, trade_returns
from kinetra.research.bootstrap import Interval, bootstrap_ci, trade_bootstrap_ci
from kinetra.research.multiple_testing import adjust_p_values
from kinetra.research.nulls import NullTest, TradeBook, bootstrap_null_test, random_entry_test, sign_flip_test
from kinetra.research.overfitting import PBOResult, pbo_cscv
from kinetra.research.sharpe import (DeflatedSharpe, deflated_sharpe_ratio, expected_max_sharpe,
                                     probabilistic_sharpe_ratio)
from kinetra.research.verdict import CandidateStats, VerdictConfig, verdict

__all__ = [
    "Assessment", "Candidate", "CandidateStats", "DeflatedSharpe", "Interval", "NullTest", "PBOResult", "TradeBook",
    "VerdictConfig", "adjust_p_values", "assess", "bootstrap_ci", "bootstrap_null_test", "candidate_from_backtest",
    "deflated_sharpe_ratio", "expected_max_sharpe", "pbo_cscv", "probabilistic_sharpe_ratio", "random_entry_test",
    "sign_flip_test", "trade_bootstrap_ci", "trade_returns", "verdict",
]
