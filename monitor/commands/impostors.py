"""`monitor impostors ...`: check replies for impostors once, list accounts, export them."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.auth.permissions import SYSTEM
from monitor.commands.common import app_context
from monitor.errors import UserFacingError
from monitor.impostors.export import write_impostor_export
from monitor.impostors.job import run_impostor_checks
from monitor.impostors.service import impostor_accounts
from monitor.sources.base import Source, SourceError


@click.group("impostors")
def impostors() -> None:
    """Impostor replies: accounts posing as the brand under customers' posts."""


@impostors.command("check")
@click.option("--no-fetch", is_flag=True, help="Only check replies already stored; no API call.")
def check(no_fetch: bool) -> None:
    """Check third-party replies once: those already stored, then fetch new ones within the
    budget in [impostors.fetch] for every configured X, Facebook and Instagram source."""
    from monitor.sources.redact import install_redaction
    from monitor.sources.registry import build_source

    install_redaction()
    app = app_context(migrate=True)
    sources: dict[str, Source] = {}
    if not no_fetch:
        for config in app.settings.sources:
            if config.platform in ("x", "facebook", "instagram"):
                try:
                    sources[config.name] = build_source(config)
                except SourceError as exc:
                    click.echo(f"skipping {config.name}: {exc}", err=True)
    run = run_impostor_checks(
        app.engine, app.sessions, app.settings.brand, app.settings.impostors, sources, sla=app.sla
    )
    click.echo(run.describe())


@impostors.command("list")
def list_accounts() -> None:
    """Accounts seen impersonating the brand, most recently seen first."""
    app = app_context()
    with app.sessions() as session:
        accounts = impostor_accounts(session)
    if not accounts:
        click.echo("No impostor replies recorded.")
        return
    for a in accounts:
        reported = f", reported {a.reported_at:%Y-%m-%d}" if a.reported_at else ""
        click.echo(
            f"{a.platform} @{click.unstyle(a.handle)!r}: {a.replies} replies, cases "
            f"{', '.join(map(str, a.case_ids))}, last seen {a.last_seen:%Y-%m-%d %H:%M} UTC, "
            f"{', '.join(a.lures)}{reported}"
        )


@impostors.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
    help="CSV (UTF-8 with BOM) or XLSX; both safe to open in Excel.",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True, help="File to write."
)
def export(fmt: str, output: Path) -> None:
    """Write the impostor accounts for the platform's trust-and-safety reporting."""
    app = app_context()
    if output.exists() and output.is_dir():
        raise UserFacingError(f"{output} is a folder: give a file name such as impostors.{fmt}")
    with app.sessions() as session:
        count = write_impostor_export(session, SYSTEM, output, fmt)
    click.echo(f"Wrote {count} impostor accounts to {output}.")
