"""`monitor alerts ...`: test a route, list the alert record, run the alert jobs once."""

from __future__ import annotations

import click

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.alerts.records import STATUSES, recent_alerts, send_test_alert
from monitor.auth.permissions import SYSTEM
from monitor.commands.common import app_context
from monitor.errors import UserFacingError


@click.group("alerts")
def alerts() -> None:
    """Urgency alerts: test a route, list recent alerts, or evaluate and deliver them once."""


@alerts.command("test")
@click.argument("route")
def test_route(route: str) -> None:
    """Send a test message through the alert route ROUTE and report whether it arrived."""
    app = app_context()
    result = send_test_alert(app.sessions, app.settings, SYSTEM, route)
    if not result.ok:
        raise UserFacingError(f"route {route} ({result.target}) failed: {result.error}")
    click.echo(f"Test alert sent through {route} ({result.target}).")


@alerts.command("list")
@click.option("--limit", default=30, show_default=True, help="How many alerts to show.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([status.value for status in STATUSES]),
    help="Only alerts with this status (repeat for several).",
)
@click.option("--rule", "rules", multiple=True, help="Only alerts of this rule (repeatable).")
def list_alerts(limit: int, statuses: tuple[str, ...], rules: tuple[str, ...]) -> None:
    """Show the most recent alerts, newest first, with their status and any delivery error."""
    app = app_context()
    with app.sessions() as session:
        rows = recent_alerts(session, limit=limit, statuses=statuses, rules=rules)
    if not rows:
        click.echo("No alerts recorded yet.")
        return
    for row in rows:
        case = f" case {row.case_id}" if row.case_id else ""
        line = (
            f"{row.id:>6}  {row.created_at:%Y-%m-%d %H:%MZ}  {row.rule:<16} {row.route:<14} "
            f"{row.status:<10} x{row.attempts}{case}  {row.title}"
        )
        click.echo(line)
        if row.error:
            click.echo(f"{'':>8}error: {row.error}")


@alerts.command("run")
def run_once() -> None:
    """Evaluate the alert rules and deliver due alerts once (the scheduler does this)."""
    app = app_context()
    created = evaluate_rules(app.sessions, app.settings)
    stats = deliver_pending(app.sessions, app.settings)
    click.echo(f"{created} new alerts; delivery: {stats.describe()}.")
