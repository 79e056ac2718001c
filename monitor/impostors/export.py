"""The impostor-account export for a platform's trust-and-safety team (CSV or XLSX).

Handles and display names are chosen by the impostors: every text cell goes through the same
Excel-safe writers as the reports (formulas neutralised, ids as text, UTC times).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor, require
from monitor.errors import UserFacingError
from monitor.impostors.service import ImpostorAccount, impostor_accounts
from monitor.reports.rows import Column, Row
from monitor.reports.safe import EXCEL_MAX_ROWS
from monitor.reports.writers import write_csv, write_xlsx
from monitor.vocab import Permission

COLUMNS = tuple(
    Column(name, kind)  # type: ignore[arg-type]
    for name, kind in (
        ("platform", "text"), ("account_id", "id"), ("handle", "text"),
        ("display_name", "text"), ("followers", "int"), ("replies", "int"),
        ("top_score", "float"), ("first_seen_utc", "time"), ("last_seen_utc", "time"),
        ("case_ids", "text"), ("lures", "text"), ("reported_at_utc", "time"),
        ("reported_by", "text"),
    )
)  # fmt: skip


def rows(accounts: list[ImpostorAccount]) -> Iterator[Row]:
    for a in accounts:
        yield (
            a.platform, a.external_id, f"@{a.handle}", a.display_name or "", a.followers,
            a.replies, a.top_score, a.first_seen, a.last_seen,
            " ".join(str(c) for c in a.case_ids), "; ".join(a.lures), a.reported_at,
            a.reported_by or "",
        )  # fmt: skip


def write_impostor_export(session: Session, actor: Actor, path: Path, fmt: str) -> int:
    """Write atomically: a failure never leaves a half-written file at `path`."""
    require(actor, Permission.REPORTS_EXPORT)
    if fmt not in ("csv", "xlsx"):
        raise UserFacingError(f"unknown format {fmt!r}: use csv or xlsx")
    accounts = impostor_accounts(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".impostors-", suffix=f".{fmt}")
    os.close(handle)
    try:
        if fmt == "csv":
            count = write_csv(Path(temp), COLUMNS, rows(accounts))
        else:
            count = write_xlsx(
                Path(temp), [("impostors", COLUMNS, rows(accounts))], EXCEL_MAX_ROWS
            )[0]
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


def impostor_export_bytes(session: Session, actor: Actor, fmt: str) -> bytes:
    """The export as bytes, for the dashboard's download button."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"impostors.{fmt}"
        write_impostor_export(session, actor, target, fmt)
        return target.read_bytes()
