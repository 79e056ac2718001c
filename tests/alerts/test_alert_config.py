"""Settings fail loudly with the key to fix; every new command documents itself."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from pydantic import ValidationError

from monitor.alerts.evaluate import in_quiet_hours
from monitor.alerts.send import send
from monitor.alerts.urls import mask_url
from monitor.commands.alerts import alerts
from monitor.commands.export import export
from monitor.config import AlertSettings, QuietHours, RouteSettings
from monitor.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    "command", [*alerts.commands.values(), alerts, export], ids=lambda c: c.name
)
def test_every_command_and_option_has_help(command: click.Command) -> None:
    assert command.help and len(command.help) > 20
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{param.opts} of {command.name} lacks help"


def test_defaults_send_nothing() -> None:
    settings = load_settings()
    assert settings.alerts.routes == () and not settings.reports.daily


def test_route_needs_exactly_one_url_source() -> None:
    with pytest.raises(ValidationError, match="exactly one of url_env"):
        RouteSettings(name="x")
    with pytest.raises(ValidationError, match="exactly one of url_env"):
        RouteSettings(name="x", url="json://h/a", url_env="A")


def test_bad_alert_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[[alerts.routes]]\nname = "ops"\nurl = "json://h/x"\nrules = ["urgent"]\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match=r"`alerts.routes.0.rules`.*known rules: urgency"):
        load_settings(config)


def test_duplicate_route_names_are_refused() -> None:
    route = RouteSettings(name="ops", url="json://h/x")
    with pytest.raises(ValidationError, match="route names must be unique"):
        AlertSettings(routes=(route, route))


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#care", "slack://t1jj3t3l2/****"),
        ("mailtos://care:app-password@gmail.com?to=ops@x.com", "mailtos://****@gmail.com/****"),
        ("pagerduty://integrationKey@apiKey", "pagerduty://****@apikey"),
        ("json://127.0.0.1:9000", "json://127.0.0.1:9000"),
        ("not a url", "****"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_missing_environment_variable_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALERT_NOPE_URL", raising=False)
    result = send(RouteSettings(name="ops", url_env="ALERT_NOPE_URL"), "t", "b", 1)
    assert not result.ok and "export ALERT_NOPE_URL=" in str(result.error)


@pytest.mark.parametrize(
    ("hour", "start", "end", "quiet"),
    [(23, "22:00", "07:00", True), (6, "22:00", "07:00", True), (7, "22:00", "07:00", False),
     (13, "12:00", "14:00", True), (14, "12:00", "14:00", False), (3, "08:00", "08:00", False)],
)  # fmt: skip
def test_quiet_hours_windows(hour: int, start: str, end: str, quiet: bool) -> None:
    window = QuietHours(start=start, end=end, timezone="UTC")
    assert in_quiet_hours(window, datetime(2026, 11, 20, hour, 0, tzinfo=UTC)) is quiet


def test_unusable_url_is_a_permanent_failure() -> None:
    result = send(RouteSettings(name="ops", url="nosuchscheme://x/y"), "t", "b", 1)
    assert result.permanent and "apprise cannot use the URL nosuchscheme://x/****" in str(
        result.error
    )
