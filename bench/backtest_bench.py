"""Backtest speed: Kinetra's numba kernel vs vectorbt and backtesting.py, measured in the same run.

1M seeded random-walk bars with random target positions (-1, 0 or +1 units, changing on ~1 % of
bars). Fills are made equal: a target decided at bar t fills at bar t+1's open, fixed unit size,
zero fees, spread and slippage in every engine (the peers' fee models differ from MT5's, so costs
are off for the comparison; Kinetra's cost-on run is timed separately). Agreement is checked on the
final equity. backtesting.py is a Python loop, so it runs on a 20k-bar slice and is scaled by
bars/s. JIT warm-up is timed apart and excluded. Run: `make bench` (installs `.[dev,bench]`).
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings

import numpy as np
import pandas as pd

from kinetra.backtest import SymbolSpec, engine, run
from kinetra.backtest.runner import _layout, _max_trades, _params, _series

N = 1_000_000
N_SLOW = 20_000
SEED = 42
CASH = 1e9
SPEC = SymbolSpec(digits=5, tick_value=1e-5, spread_points=8, commission_per_lot=3.5e-5, swap_long=-7, swap_short=2)


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Random-walk M1 bars (bid prices, spread in points) and random held target positions."""
    rng = np.random.default_rng(seed)
    close = 1.1 * np.exp(np.cumsum(rng.normal(0, 2e-4, n)))
    open_ = np.r_[1.1, close[:-1]]
    wick = np.abs(rng.normal(0, 1e-4, (2, n)))
    index = pd.date_range("2020-01-01", periods=n, freq="min", tz="UTC")
    bars = pd.DataFrame({"open": open_, "high": np.maximum(open_, close) + wick[0],
                         "low": np.minimum(open_, close) - wick[1], "close": close,
                         "spread": rng.integers(0, 20, n).astype(float)}, index=index)
    change = rng.random(n) < 0.01
    pos = pd.Series(np.where(change, rng.integers(-1, 2, n), np.nan)).ffill().fillna(0.0).to_numpy()
    return bars, pos


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """Fastest wall time of `repeat` calls and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def kernel_args(bars: pd.DataFrame, pos: np.ndarray, costs: bool) -> tuple:
    """The kernel's inputs, prepared once so only the loop is timed."""
    series = [_series("bars", bars, pos, SPEC)]
    a = _layout(series, bars.index.tz_convert("UTC"), "next_open", costs)
    params = np.stack([_params(SPEC, costs, None, None)])
    return (a["open"], a["high"], a["low"], a["close"], a["spread"], a["nights"], a["valid"], a["target"], params,
            False, True, CASH, _max_trades(series))


def bench_kinetra(bars: pd.DataFrame, pos: np.ndarray) -> dict[str, float]:
    """Warm-up, core loop, and whole `run` (validation, layout, kernel, trades frame, metrics)."""
    started = time.perf_counter()
    engine.simulate(*kernel_args(bars.iloc[:1000], pos[:1000], True))
    warmup = time.perf_counter() - started
    loop, out = best_of(lambda args=kernel_args(bars, pos, False): engine.simulate(*args))
    loop_costs, _ = best_of(lambda args=kernel_args(bars, pos, True): engine.simulate(*args))
    whole, result = best_of(lambda: run(bars, pos, SPEC, costs=False, sizing="lots", initial_equity=CASH), 2)
    return {"warmup": warmup, "loop": loop, "loop_costs": loop_costs, "run": whole,
            "final": float(out[0][-1]), "trades": len(result.trades)}


def bench_vectorbt(bars: pd.DataFrame, pos: np.ndarray) -> dict[str, float] | None:
    """vectorbt Portfolio.from_orders: target amount decided at t, filled at t+1's open, no fees."""
    try:
        import vectorbt as vbt
    except ImportError:
        return None
    size = np.r_[np.nan, pos[:-1]]

    def once(n: int):
        return vbt.Portfolio.from_orders(close=bars["close"].to_numpy()[:n], size=size[:n], size_type="targetamount",
                                         price=bars["open"].to_numpy()[:n], fees=0.0, fixed_fees=0.0, slippage=0.0,
                                         init_cash=CASH, freq="1min")

    started = time.perf_counter()
    once(1000)
    warmup = time.perf_counter() - started
    seconds, pf = best_of(lambda: once(len(bars)))
    return {"warmup": warmup, "run": seconds, "final": float(pf.final_value()), "version": vbt.__version__}


def bench_backtesting_py(bars: pd.DataFrame, pos: np.ndarray) -> dict[str, float] | None:
    """backtesting.py on a slice: a strategy that follows the same targets with 1-unit market orders."""
    try:
        from backtesting import Backtest, Strategy
    except ImportError:
        return None
    data = bars.rename(columns=str.title)[["Open", "High", "Low", "Close"]].tz_localize(None)
    targets = pos

    class Follow(Strategy):
        def init(self) -> None:
            self.held = 0.0

        def next(self) -> None:
            want = targets[len(self.data) - 1]
            if want != self.held:
                self.position.close()
                if want > 0:
                    self.buy(size=1)
                elif want < 0:
                    self.sell(size=1)
                self.held = want

    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):  # its progress bar
        warnings.simplefilter("ignore")
        bt = Backtest(data, Follow, cash=CASH, commission=0, spread=0, trade_on_close=False, exclusive_orders=True,
                      finalize_trades=True)
        started = time.perf_counter()
        stats = bt.run()
        seconds = time.perf_counter() - started
    return {"run": seconds, "final": float(stats["Equity Final [$]"])}


def main() -> None:
    """Print bars/s of each engine and the ratios, measured now on this machine."""
    bars, pos = make_data(N, SEED)
    ours = bench_kinetra(bars, pos)
    print(f"backtest bench: {N:,} bars, {ours['trades']:,} trades, targets filled at the next open, 1 unit, zero costs")
    print(f"  kinetra JIT warm-up (cache load or compile, excluded): {ours['warmup']:.2f} s")
    rate = N / ours["loop"]
    print(f"  kinetra core loop        {rate / 1e6:8.1f} M bars/s  ({ours['loop'] * 1e3:.1f} ms)")
    print(f"  kinetra core loop, costs {N / ours['loop_costs'] / 1e6:8.1f} M bars/s  (spread, commission, swap on)")
    print(f"  kinetra run() end to end {N / ours['run'] / 1e6:8.1f} M bars/s  (validation, layout, trades, metrics)")
    vbt = bench_vectorbt(bars, pos)
    if vbt is None:
        print("  vectorbt: skipped (not installed; `pip install vectorbt` or `make bench`)")
    else:
        print(f"  vectorbt {vbt['version']} from_orders {N / vbt['run'] / 1e6:8.1f} M bars/s  "
              f"(warm-up {vbt['warmup']:.2f} s excluded)")
        print(f"    kinetra loop / vectorbt: {vbt['run'] / ours['loop']:.1f}x   kinetra run() / vectorbt: "
              f"{vbt['run'] / ours['run']:.1f}x   final equity diff: {ours['final'] - vbt['final']:+.3e}")
    slow, slow_pos = bars.iloc[:N_SLOW], pos[:N_SLOW].copy()
    slow_pos[-2:] = 0.0  # flat at the end: backtesting.py closes leftovers at the last open, we at the close
    btp = bench_backtesting_py(slow, slow_pos)
    if btp is None:
        print("  backtesting.py: skipped (not installed; `pip install backtesting`)")
        return
    ours_slow = run(slow, slow_pos, SPEC, costs=False, sizing="lots", initial_equity=CASH)
    print(f"  backtesting.py ({N_SLOW:,}-bar slice) {N_SLOW / btp['run'] / 1e3:8.1f} k bars/s")
    print(f"    kinetra loop / backtesting.py: {rate / (N_SLOW / btp['run']):,.0f}x   "
          f"final equity diff on the slice: {ours_slow.metrics['final_equity'] - btp['final']:+.3e}")


if __name__ == "__main__":
    main()
