"""Suites: shipped presets validate, errors name the field, a person's suite overrides a shipped one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinetra.errors import ConfigError, UnknownSuiteError
from kinetra.research.suite import config_label, duration_days, list_suites, load_suite, parse_suite, window_bars

PRESETS = ("quick", "walk_forward", "monte_carlo", "compare_agents")


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_validates(name: str) -> None:
    suite = load_suite(name)
    assert suite.name == name and suite.candidates()


def test_quick_is_five_agents_six_series_five_folds_1000_draws() -> None:
    suite = load_suite("quick")
    assert len({a for a, _ in suite.candidates()}) == 5
    assert suite.series.limit == 6 and suite.validation.folds == 5 and suite.monte_carlo.count == 1000


def test_grids_expand_to_every_combination_in_a_stable_order() -> None:
    suite = parse_suite({"name": "g", "agents": [{"name": "sma_crossover", "params": {"slow": [30, 60], "fast": [5, 10]}}]},
                        "g")
    assert [config_label(a, p) for a, p in suite.candidates()] == [
        "sma_crossover(fast=5, slow=30)", "sma_crossover(fast=5, slow=60)",
        "sma_crossover(fast=10, slow=30)", "sma_crossover(fast=10, slow=60)"]
    assert config_label("berserker", {}) == "berserker"


@pytest.mark.parametrize(("data", "field"), [
    ({"agents": [{"name": "nope"}]}, "unknown agent 'nope'"),
    ({"agents": [{"name": "sma_crossover", "params": {"fast": [0]}}]}, "fast must be in"),
    ({"agents": [{"name": "sma_crossover"}], "validation": {"scheme": "walk_forward", "folds": 0}}, "validation.folds"),
    ({"agents": [{"name": "sma_crossover"}], "validation": {"scheme": "walk_forward", "train": "1y"}}, "give both train"),
    ({"agents": [{"name": "sma_crossover"}], "validation": {"scheme": "walk_forward", "train": "1 fortnight", "test": 50}},
     "not a duration"),
    ({"agents": [{"name": "sma_crossover"}], "validation": {"scheme": "cpcv", "groups": 4, "test_groups": 4}},
     "fewer than groups"),
    ({"agents": [{"name": "sma_crossover"}], "monte_carlo": {"method": "magic"}}, "monte_carlo.method"),
    ({"agents": [{"name": "sma_crossover"}], "correction": "fdr"}, "correction"),
    ({"agents": [{"name": "sma_crossover"}], "surprise": 1}, "surprise"),
    ({"agents": []}, "agents"),
])
def test_a_bad_suite_is_one_line_naming_the_field(data: dict, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_suite({"name": "bad"} | data, "bad.yaml")
    message = str(err.value)
    assert message.startswith("bad.yaml: ") and field in message and "\n" not in message


def test_a_persons_suite_overrides_a_shipped_one_and_paths_load(kinetra_home: Path, tmp_path: Path) -> None:
    (kinetra_home / "suites").mkdir()
    (kinetra_home / "suites" / "quick.yaml").write_text("agents: [{name: berserker}]\nseed: 9\n")
    assert list_suites()["quick"] == kinetra_home / "suites" / "quick.yaml"
    mine = load_suite("quick")
    assert mine.name == "quick" and mine.seed == 9 and mine.candidates() == [("berserker", {})]
    other = tmp_path / "mine.yaml"
    other.write_text("name: mine\nagents: [{name: sma_crossover, params: {fast: [3, 4]}}]\n")
    assert len(load_suite(str(other)).candidates()) == 2


def test_unknown_suites_and_unreadable_yaml_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(UnknownSuiteError, match="no suite 'nope' \\(known: .*quick"):
        load_suite("nope")
    broken = tmp_path / "broken.yaml"
    broken.write_text("agents: [unclosed\n")
    with pytest.raises(ConfigError, match="not readable YAML"):
        load_suite(str(broken))


def test_window_lengths_in_bars_or_durations() -> None:
    assert duration_days("12w") == 84 and duration_days("1y") == 365.25 and duration_days("36h") == 1.5
    assert window_bars(500, 24.0) == 500
    assert window_bars("90d", 24.0) == 2160
    assert window_bars("3mo", 24.0 * 5 / 7) == int(3 * 30.4375 * 24 * 5 / 7)
