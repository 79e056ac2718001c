from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import DEFAULT_CONFIG
from monitor.settings import SettingsError, load_settings


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_shipped_config_loads_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    settings = load_settings(DEFAULT_CONFIG)
    assert settings.database.url == "sqlite:///var/monitor.db"
    assert settings.urgency.high_value_threshold == 500
    assert settings.dashboard.port == 8501


def test_environment_overrides_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATABASE_URL", "postgresql://care@127.0.0.1/monitor")
    settings = load_settings(_config(tmp_path, '[database]\nurl = "sqlite:///x.db"\n'))
    assert settings.database.url == "postgresql://care@127.0.0.1/monitor"


def test_bad_value_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path, '[dashboard]\nport = "eighty"\n')
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    message = str(error.value)
    assert "`dashboard.port`" in message and str(path) in message and "'eighty'" in message


def test_out_of_range_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"`model.batch_size`.*greater than or equal to 1"):
        load_settings(_config(tmp_path, "[model]\nbatch_size = 0\n"))


def test_unknown_key_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"unknown setting `urgency.negativ`.*spelling"):
        load_settings(_config(tmp_path, "[urgency]\nnegativ = 3\n"))


def test_bad_database_url_explains_the_expected_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATABASE_URL", "mysql://root@localhost/db")
    with pytest.raises(SettingsError) as error:
        load_settings(_config(tmp_path, ""))
    assert "`database.url`" in str(error.value)
    assert "MONITOR_DATABASE_URL" in str(error.value)
    assert "postgresql://" in str(error.value)


def test_missing_file_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found: pass --config PATH or set MONITOR_CONFIG"):
        load_settings(tmp_path / "absent.toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(_config(tmp_path, "[database\nurl = 1"))


def test_monitor_config_variable_selects_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_CONFIG", str(_config(tmp_path, "[demo]\nseed = 99\n")))
    assert load_settings().demo.seed == 99
