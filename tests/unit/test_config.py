"""Config: layered sources, strict keys, broker timezones, `set` validation, snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinetra.config import Profile, load_settings, set_value, snapshot, user_config_path
from kinetra.errors import ConfigError


def test_shipped_defaults_give_the_research_profile_and_a_utc_broker() -> None:
    settings = load_settings()
    assert settings.profile is Profile.research
    assert settings.broker(None) == ("mt5", settings.brokers["mt5"])
    assert settings.brokers["mt5"].timezone == "UTC"


def test_user_file_overrides_shipped_and_env_overrides_user(monkeypatch: pytest.MonkeyPatch) -> None:
    user_config_path().write_text('profile = "paper"\n[brokers.icm]\ntimezone = "ny-close"\n')
    assert load_settings().profile is Profile.paper
    assert load_settings().brokers["icm"].timezone == "ny-close"
    assert "mt5" in load_settings().brokers
    monkeypatch.setenv("KINETRA_PROFILE", "dev")
    assert load_settings().profile is Profile.dev


@pytest.mark.parametrize(("text", "named"), [
    ('profile = "yolo"', "profile"),
    ('nonsense = 1', "nonsense"),
    ('[brokers.x]\ntimezone = "Mars/Base"', "brokers.x.timezone"),
    ('[ingest]\nmax_bad_row_fraction = 3', "ingest.max_bad_row_fraction"),
    ('[asset_classes]\nFOO = "stocks"', "asset_classes"),
])
def test_a_bad_user_file_is_one_error_naming_the_field(text: str, named: str) -> None:
    user_config_path().write_text(text + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert named in str(err.value) and "\n" not in str(err.value)


def test_a_file_that_is_not_toml_is_named() -> None:
    user_config_path().write_text("profile = = 1\n")
    with pytest.raises(ConfigError, match="kinetra.toml: not valid TOML"):
        load_settings()


def test_set_writes_a_valid_value_and_keeps_the_file_loadable() -> None:
    set_value("brokers.icm.timezone", "ny-close")
    set_value("profile", "paper")
    settings = load_settings()
    assert settings.profile is Profile.paper and settings.brokers["icm"].timezone == "ny-close"


@pytest.mark.parametrize(("key", "value", "named"), [
    ("profile", "yolo", "profile"), ("nope", "1", "nope"), ("runs.heartbeat_seconds", "-1", "runs.heartbeat_seconds"),
])
def test_set_refuses_a_bad_key_or_value_and_leaves_the_file_alone(key: str, value: str, named: str) -> None:
    set_value("profile", "dev")
    before = user_config_path().read_text()
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        set_value(key, value)
    assert user_config_path().read_text() == before


def test_unknown_broker_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown broker 'nobody'"):
        load_settings().broker("nobody")


def test_snapshot_records_settings_version_and_revision(kinetra_home: Path) -> None:
    snap = snapshot()
    assert snap["settings"]["profile"] == "research"
    assert set(snap) == {"settings", "version", "git_revision"}
    assert snap["git_revision"] is None or len(snap["git_revision"]) == 40
