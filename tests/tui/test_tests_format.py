"""Test Runs' pure helpers, without an app: sorting, numbers, verdict colours, params, the new-run form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kinetra.research.suite import load_suite, parse_suite
from tui.widgets.suite_form import form_values, suite_data
from tui.widgets.tests_format import mc_chart, metric_rows, num, params_text, parse_params, sort_rows, verdict_text


def test_sort_rows_puts_missing_values_last_in_both_directions_and_keeps_ties_in_run_order() -> None:
    rows = [{"n": "a", "v": 1.0}, {"n": "b", "v": None}, {"n": "c", "v": 3.0}, {"n": "d", "v": math.nan},
            {"n": "e", "v": 1.0}]
    assert [r["n"] for r in sort_rows(rows, "v", descending=True)] == ["c", "a", "e", "b", "d"]
    assert [r["n"] for r in sort_rows(rows, "v", descending=False)] == ["a", "e", "c", "b", "d"]


@pytest.mark.parametrize(("value", "pct", "text"), [
    (None, False, "-"), (math.nan, True, "-"), (1234, False, "1,234"), (0.041234, True, "4.1%"),
    (-0.008741, False, "-0.00874"), (math.inf, False, "∞"),
])
def test_num_shows_three_significant_digits_or_a_percentage(value, pct, text) -> None:
    assert num(value, pct) == text


def test_verdicts_are_green_for_an_edge_and_dim_red_otherwise() -> None:
    assert verdict_text("edge").style == "bold green"
    assert verdict_text("no edge").style == "dim red"


def test_params_are_read_as_their_defaults_types_and_bad_ones_say_why() -> None:
    defaults = {"fast": 10, "band": 0.1, "allow_short": True}
    assert parse_params("fast=5, band=0.25 allow_short=false", defaults) == {"fast": 5, "band": 0.25,
                                                                               "allow_short": False}
    assert parse_params(params_text(defaults), defaults) == defaults
    for text, error in (("fast=5.5", "fast must be a whole number, not '5.5'"), ("speed=3", "no parameter 'speed'"),
                        ("fast", "'fast' is not name=value"), ("allow_short=yes", "allow_short is true or false")):
        with pytest.raises(ValueError, match=error):
            parse_params(text, defaults)


def test_an_unchanged_form_gives_back_the_preset_itself() -> None:
    quick = load_suite("quick").to_json()
    assert suite_data(quick, form_values(quick)) == quick


def test_the_form_changes_agents_series_scheme_and_draws_and_names_the_suite_custom() -> None:
    preset = load_suite("walk_forward").to_json()
    values = form_values(preset) | {"agents": ["berserker", "entropy_breakout"], "symbols": "eurusd, xauusd",
                                    "scheme": "cpcv", "folds": "8", "draws": "200"}
    suite = parse_suite(suite_data(preset, values), "form").to_json()
    assert suite["name"] == "walk_forward_custom"
    assert suite["agents"][0] == next(a for a in preset["agents"] if a["name"] == "berserker"), "its grid is kept"
    assert suite["agents"][1] == {"name": "entropy_breakout", "params": {}}
    assert suite["series"]["symbols"] == ["EURUSD", "XAUUSD"] and suite["series"]["timeframes"] == ["H1"]
    assert suite["validation"] == {"scheme": "cpcv", "groups": 8, "test_groups": 2, "embargo": 0.01}
    assert suite["monte_carlo"]["count"] == 200 and suite["monte_carlo"]["method"] == "block_bootstrap"


def test_the_quick_backtest_metrics_read_as_percentages_and_money() -> None:
    rows = dict(metric_rows({"total_return": 0.1234, "sharpe": 1.23456, "trades": 42, "final_equity": 11234.5,
                             "profit_factor": math.nan}))
    assert rows["total return"] == "12.3%" and rows["Sharpe"] == "1.23" and rows["trades"] == "42"
    assert rows["final equity"] == "11,234.50" and rows["profit factor"] == "-" and rows["CAGR"] == "-"


def test_monte_carlo_returns_are_charted_in_percent_and_null_sharpes_as_they_are() -> None:
    draws = np.array([0.01, -0.02])
    values, observed, title = mc_chart({"mc_statistic": "total_return", "mc_observed": 0.05,
                                        "mc_method": "trade_bootstrap"}, draws)
    assert values.tolist() == [1.0, -2.0] and observed == 5.0
    assert title == "Monte Carlo return %: 2 trade bootstrap draws"
    values, observed, title = mc_chart({"mc_statistic": "null_sharpe", "mc_observed": 0.7,
                                        "mc_method": "random_entry"}, draws)
    assert values is draws and observed == 0.7 and title.startswith("Monte Carlo null Sharpe")
