"""From a real backtest to the statistics: returns, trade returns and the null's trade model agree with it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from kinetra.backtest import run
from kinetra.backtest.metrics import sharpe as backtest_sharpe
from kinetra.research.assess import candidate_from_backtest, equity_returns, trade_returns
from kinetra.research.calibration import SPEC, random_signal, synthetic_bars
from kinetra.research.measures import sharpe
from kinetra.research.nulls import trade_statistic


@pytest.mark.parametrize("fill", ["next_open", "close"])
def test_the_nulls_unit_model_scores_each_trade_like_the_backtester_without_costs(fill: str) -> None:
    bars = synthetic_bars(600, 3)
    positions = random_signal(600, np.random.default_rng(4), mean_hold=15)
    result = run(bars, positions, SPEC, costs=False, fill=fill)
    c = candidate_from_backtest("x", "g", bars, result, fill=fill)
    trades = result.trades.sort_values("entry_time")
    model = trade_statistic(c.market, c.book.entries[:, None], c.book.holds[:, None], c.book.sides[:, None],
                            "total_return")
    want = trades["side"].to_numpy() * np.log(trades["exit_price"].to_numpy() / trades["entry_price"].to_numpy())
    assert len(trades) > 10
    assert model == pytest.approx(want, abs=1e-12)


def test_equity_returns_reproduce_the_backtest_sharpe_and_trade_returns_its_nets() -> None:
    bars = synthetic_bars(800, 5)
    result = run(bars, random_signal(800, np.random.default_rng(6)), SPEC)
    r = equity_returns(result.equity, 10_000.0)
    assert sharpe(r, result.metrics["bars_per_year"]) == pytest.approx(result.metrics["sharpe"], rel=1e-9)
    assert sharpe(r) == pytest.approx(backtest_sharpe(r, 1.0))
    tr = trade_returns(result)
    assert len(tr) == len(result.trades)
    assert np.prod(1 + tr) - 1 == pytest.approx(result.metrics["total_return"], rel=1e-6)


def test_the_research_package_works_without_scipy_and_loads_no_ui() -> None:
    # scipy is not a runtime dependency; numba imports it on its own when installed, so block it outright.
    code = ("import sys; sys.modules['scipy'] = None; sys.modules['statsmodels'] = None\n"
            "import numpy as np, kinetra.research as kr, kinetra.research.calibration\n"
            "r = np.random.default_rng(0).normal(0, 1, 100)\n"
            "kr.bootstrap_ci(r, n_boot=20, seed=0); kr.deflated_sharpe_ratio(r, [0.1, 0.2, 0.0])\n"
            "kr.pbo_cscv(np.random.default_rng(1).normal(size=(64, 4)), 4); kr.sign_flip_test(r, n_null=9, seed=0)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if sys.modules[m] is not None}"
            " & {'scipy', 'statsmodels', 'textual', 'typer', 'rich'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
