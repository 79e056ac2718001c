"""Command options that offer a vocabulary accept its values as written in the docs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from factories import T0
from sqlalchemy.orm import Session

from monitor.cli import main
from monitor.db.models import Alert
from monitor.vocab import AlertStatus


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_alerts_list_filters_by_status_value(run, session: Session) -> None:  # type: ignore[no-untyped-def]
    for n, status in enumerate((AlertStatus.SENT, AlertStatus.SUPPRESSED)):
        session.add(
            Alert(rule="urgency", route="ops", dedupe_key=f"k{n}", title=f"alert {status}",
                  body="", status=status, created_at=T0)
        )  # fmt: skip
    session.commit()

    shown = run("alerts", "list", "--status", "suppressed")
    assert shown.exit_code == 0, shown.output
    assert "alert suppressed" in shown.output and "alert sent" not in shown.output
    refused = run("alerts", "list", "--status", "SENT")  # the value, not the member name
    assert refused.exit_code == 2 and "'sent'" in refused.output


def test_users_set_role_offers_every_role(run) -> None:  # type: ignore[no-untyped-def]
    shown = run("users", "set-role", "--help")
    assert shown.exit_code == 0
    assert "{analyst|agent|senior|supervisor|admin}" in shown.output
