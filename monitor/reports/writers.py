"""Streaming writers: rows go to disk as they arrive (CSV row by row, Parquet one row group
per batch, XLSX through openpyxl's write-only mode), so memory stays flat at any size.

CSV and XLSX are for people (Excel): formulas are neutralised, ids are text, times are UTC.
Parquet is for analysts' tools: values stay exactly as stored, with real types.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from monitor.errors import UserFacingError
from monitor.reports.rows import Column, Row
from monitor.reports.safe import iso_utc, naive_utc, neutralise, xlsx_text

PARQUET_BATCH = 50_000


class SheetTooLarge(UserFacingError):
    """More rows than one Excel sheet can hold."""


def _csv_value(value: Any, column: Column) -> Any:
    if value is None:
        return ""
    if column.kind == "time":
        return iso_utc(value)
    if column.kind == "bool":
        return "true" if value else "false"
    if column.kind in ("text", "id"):
        return neutralise(str(value))
    return float(value) if isinstance(value, Decimal) else value


def write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Row]) -> int:
    """UTF-8 with a byte-order mark, so Excel does not mistake it for the local code page."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for row in rows:
            writer.writerow([_csv_value(v, c) for v, c in zip(row, columns, strict=True)])
            count += 1
    return count


def _xlsx_value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind == "time":
        return naive_utc(value)
    if column.kind in ("text", "id"):
        return xlsx_text(str(value))  # a str is a string cell: 19-digit ids keep every digit
    return float(value) if isinstance(value, Decimal) else value


def write_xlsx(
    path: Path, sheets: Sequence[tuple[str, Sequence[Column], Iterable[Row]]], row_limit: int
) -> list[int]:
    """One sheet per (name, columns, rows); stops with SheetTooLarge rather than truncate."""
    book = Workbook(write_only=True)
    counts = []
    try:
        for name, columns, rows in sheets:
            sheet = book.create_sheet(name)
            sheet.append([column.name for column in columns])
            count = 0
            for row in rows:
                count += 1
                if count + 1 > row_limit:
                    raise SheetTooLarge(
                        f"sheet {name!r} would need more than {row_limit:,} rows (Excel's limit "
                        "per sheet): use --format csv or parquet, or a shorter --since/--until"
                    )
                sheet.append([_xlsx_value(v, c) for v, c in zip(row, columns, strict=True)])
            counts.append(count)
    except BaseException:
        _discard(book)
        raise
    book.save(path)
    return counts


def _discard(book: Workbook) -> None:
    """Close and delete the temporary files openpyxl streams each sheet into."""
    for sheet in book.worksheets:
        with contextlib.suppress(Exception):
            sheet.close()
        with contextlib.suppress(Exception):
            sheet._writer.cleanup()


_ARROW_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "text": pa.string(),
    "id": pa.string(),
    "time": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
}


def _arrow_value(value: Any, column: Column) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if column.kind == "id" and value is not None:
        return str(value)
    return value


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def write_parquet(
    path: Path, columns: Sequence[Column], rows: Iterable[Row], batch: int = PARQUET_BATCH
) -> int:
    schema = pa.schema([pa.field(c.name, _ARROW_TYPES[c.kind]) for c in columns])
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for chunk in _batches(rows, batch):
            arrays = [
                pa.array([_arrow_value(row[i], c) for row in chunk], type=_ARROW_TYPES[c.kind])
                for i, c in enumerate(columns)
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            count += len(chunk)
    return count
