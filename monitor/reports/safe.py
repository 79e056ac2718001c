"""Cell values that Excel cannot misread: no formulas, no rounded ids, no ambiguous times."""

from __future__ import annotations

import re
from datetime import UTC, datetime

EXCEL_MAX_ROWS = 1_048_576  # per sheet, the header row included
EXCEL_MAX_CELL = 32_767  # characters per cell

# Excel (and LibreOffice, Google Sheets) treat a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Control characters the XLSX format cannot store (openpyxl raises on them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: str) -> str:
    """`=HYPERLINK(...)` -> `'=HYPERLINK(...)`: shown as text, never evaluated."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def xlsx_text(text: str) -> str:
    return neutralise(_ILLEGAL_XML.sub("", text))[:EXCEL_MAX_CELL]


def iso_utc(moment: datetime | None) -> str:
    """`2026-11-20T09:00:00Z`: ISO 8601 in UTC, which no spreadsheet locale misreads."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def naive_utc(moment: datetime | None) -> datetime | None:
    """XLSX has no time zones: store UTC wall time (the column header says so)."""
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)
