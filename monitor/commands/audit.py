"""`monitor audit`: check the audit log's hash chain from the shell (or a cron job)."""

from __future__ import annotations

import click

from monitor.cases.audit import verify_chain
from monitor.commands.common import app_context


@click.group()
def audit() -> None:
    """The tamper-evident audit log of every action taken in the dashboard or CLI."""


@audit.command("verify")
def verify() -> None:
    """Recompute every entry's hash; exit 1 and name the first broken entry if any."""
    app = app_context()
    with app.sessions() as session:
        report = verify_chain(session)
    if report.intact:
        click.echo(report.describe())
        return
    click.echo(report.describe(), err=True)
    raise SystemExit(1)
