"""`monitor export`: cases and posts to CSV, XLSX or Parquet, safe to open in Excel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from monitor.auth.permissions import SYSTEM
from monitor.commands.common import app_context
from monitor.reports.export import FORMATS, ExportError, Format, export_report

FIRST_YEAR, LAST_YEAR = 1970, 2999  # beyond these, dates are typos (and overflow)
_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="csv and parquet write PATH plus PATH-posts; xlsx writes one workbook with two sheets.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),  # folders are refused with one clear line later
    help="File to write, e.g. reports/november.xlsx (the folder must exist).",
)
@click.option(
    "--since",
    type=click.DateTime(_DATE_FORMATS),
    default=None,
    help="First day (UTC) to include, e.g. 2026-11-01, or an exact UTC time 2026-11-01T08:00.",
)
@click.option(
    "--until",
    type=click.DateTime(_DATE_FORMATS),
    default=None,
    help="Last day (UTC) to include, e.g. 2026-11-30, or an exact end time (excluded).",
)
def export(
    fmt: Format,
    output: Path,
    since: datetime | None,
    until: datetime | None,
) -> None:
    """Export one row per case (and one per post) for analysts, safe to open in Excel."""
    for name, value in (("--since", since), ("--until", until)):
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ExportError(
                f"{name} {value.date().isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}: give a "
                "real date, or leave the option out to export everything"
            )
    app = app_context()
    start = since.replace(tzinfo=UTC) if since else None
    end = until.replace(tzinfo=UTC) if until else None
    if end is not None and end.time() == datetime.min.time():
        end += timedelta(days=1)  # a date means "up to the end of that day"
    result = export_report(app.sessions, app.settings, SYSTEM, fmt, output, start, end)
    files = ", ".join(str(path) for path in result.paths)
    click.echo(f"Exported {result.cases:,} cases and {result.posts:,} posts to {files}.")
