"""The export service behind `monitor export`, the Reports page and scheduled reports.

Files are written under a temporary name and renamed when complete, so a failed or refused
export never leaves a half-written file where the user expects a good one.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from monitor.auth.permissions import Actor, require
from monitor.cases.sla import SlaPolicy
from monitor.config import Settings
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.output_paths import check_output_path, write_failed
from monitor.reports.rows import (
    CASE_COLUMNS,
    POST_COLUMNS,
    case_rows,
    count_cases,
    count_posts,
    post_rows,
)
from monitor.reports.safe import EXCEL_MAX_ROWS
from monitor.reports.writers import SheetTooLarge, write_csv, write_parquet, write_xlsx
from monitor.vocab import Permission

Format = Literal["csv", "xlsx", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "parquet")


class ExportError(UserFacingError):
    """The export cannot be written as asked; the message says what to change."""


class ExportTooLarge(ExportError):
    """More rows than an Excel sheet holds."""


@dataclass
class ExportResult:
    paths: list[Path] = field(default_factory=list)
    cases: int = 0
    posts: int = 0


def posts_path(output: Path) -> Path:
    """`report.csv` -> `report-posts.csv`: the per-post file next to the per-case one."""
    return output.with_name(f"{output.stem}-posts{output.suffix}")


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _check_excel_size(session: Session, since: datetime | None, until: datetime | None,
                      limit: int) -> None:  # fmt: skip
    for what, count in (
        ("cases", count_cases(session, since, until)),
        ("posts", count_posts(session, since, until)),
    ):
        if count + 1 > limit:
            raise ExportTooLarge(
                f"{count:,} {what} do not fit in one Excel sheet (at most {limit - 1:,} rows "
                "plus the header): export with --format csv or --format parquet, or choose a "
                "shorter range with --since/--until"
            )


def export_report(
    sessions: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    fmt: Format,
    output: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    excel_row_limit: int = EXCEL_MAX_ROWS,
    now: datetime | None = None,
) -> ExportResult:
    """Write one row per case (and one per post) for cases opened and posts created in
    [since, until); XLSX gets two sheets, CSV and Parquet a second `-posts` file."""
    require(actor, Permission.REPORTS_EXPORT)
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if since and until and since >= until:
        raise ExportError(f"--since ({since:%Y-%m-%d}) must be before --until ({until:%Y-%m-%d})")
    now = now or utcnow()
    sla = SlaPolicy(settings.sla)
    targets = [output] if fmt == "xlsx" else [output, posts_path(output)]
    for target in targets:  # before any row is read: a wrong path fails at once
        check_output_path(target, partial=_partial(target), example=f"report.{fmt}")
    result = ExportResult(paths=targets)
    try:
        with sessions() as session:
            cases = case_rows(session, since, until, sla, now)
            if fmt == "xlsx":
                _check_excel_size(session, since, until, excel_row_limit)
                sheets = [("cases", CASE_COLUMNS, cases)]
                with sessions() as post_session:  # a second cursor while cases stream
                    sheets.append(("posts", POST_COLUMNS, post_rows(post_session, since, until)))
                    counts = write_xlsx(_partial(output), sheets, excel_row_limit)
                result.cases, result.posts = counts
            elif fmt == "csv":
                result.cases = write_csv(_partial(output), CASE_COLUMNS, cases)
                rows = post_rows(session, since, until)
                result.posts = write_csv(_partial(targets[1]), POST_COLUMNS, rows)
            else:
                result.cases = write_parquet(_partial(output), CASE_COLUMNS, cases)
                rows = post_rows(session, since, until)
                result.posts = write_parquet(_partial(targets[1]), POST_COLUMNS, rows)
    except SheetTooLarge as exc:
        _clean(targets)
        raise ExportTooLarge(str(exc)) from exc
    except OSError as exc:
        _clean(targets)
        raise write_failed(output, exc) from exc
    except BaseException:
        _clean(targets)
        raise
    for target in targets:
        os.replace(_partial(target), target)
    return result


def _clean(targets: list[Path]) -> None:
    for target in targets:
        with contextlib.suppress(FileNotFoundError):
            _partial(target).unlink()
