"""Score a CSV or JSONL file of posts into a CSV, streaming so file size never matters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from monitor.config import StakesSettings, UrgencySettings
from monitor.errors import UserFacingError
from monitor.file_checks import first_bad_byte, looks_utf16
from monitor.output_paths import write_failed
from monitor.scoring.assess import assess
from monitor.scoring.model import TextModel
from monitor.scoring.urgency import PostContext, compute_urgency

OUTPUT_COLUMNS = (
    "id",
    "urgency",
    "sentiment_negative",
    "sentiment_neutral",
    "sentiment_positive",
    "complaint",
    "severity",
    "intent",
    "topics",
    "language",
    "language_supported",
    "explanation",
)
ID_CANDIDATES = ("id", "tweet_id", "post_id")
CHUNK = 2048  # rows per model call: big enough for length-sorted batching, small in memory
MAX_LINE = 1_000_000  # characters in one JSONL line; posts are a few thousand at most
SNIFF = 64 * 1024


class InputFileError(UserFacingError):
    """The input file cannot be scored; the message says what is wrong and what to do."""


@dataclass
class ScoreSummary:
    rows: int = 0
    empty_text: int = 0


@dataclass
class _Source:
    rows: Iterator[dict[str, Any]]
    columns: list[str]
    handle: io.BufferedReader
    # JSONL: the keys whose values must be strings (filled in once the columns are chosen).
    checked: set[str] = field(default_factory=set)


def _open_rows(path: Path) -> _Source:
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    if path.is_dir():
        raise InputFileError(f"{path} is a folder: give a .csv or .jsonl file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path} is empty: nothing to score")
    _check_head(path)
    handle = path.open("rb")
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict", newline="")
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson", ".json"):
            return _jsonl(path, text, handle)
        return _csv(path, text, handle)
    except UnicodeDecodeError as exc:
        handle.close()
        raise _encoding_error(path) from exc
    except InputFileError:
        handle.close()
        raise


def _check_head(path: Path) -> None:
    """Say what the file really is when it is not UTF-8 text with content."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if looks_utf16(head):
        raise InputFileError(
            f"{path} is UTF-16 text, not UTF-8: re-save it as UTF-8 (in Excel: CSV UTF-8), or "
            f"convert it: iconv -f UTF-16 -t UTF-8 '{path}' > converted{path.suffix}"
        )
    if b"\0" in head:
        what = "only NUL bytes" if not head.strip(b"\0") else "NUL bytes"
        raise InputFileError(
            f"{path} contains {what}: it is binary or damaged data, not a CSV or JSONL file. "
            "Export the posts again"
        )
    if not head.strip() and path.stat().st_size <= SNIFF:
        raise InputFileError(f"{path} contains only blank lines or spaces: nothing to score")


def _encoding_error(path: Path) -> InputFileError:
    """Where the first byte that is not UTF-8 is, counted from the start of the file."""
    offset, line = first_bad_byte(path)
    return InputFileError(
        f"{path} is not UTF-8 text (byte {offset} on line {line} cannot be decoded): re-save it "
        f"as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 '{path}' > converted{path.suffix}"
    )


def _csv(path: Path, text: io.TextIOWrapper, handle: io.BufferedReader) -> _Source:
    reader = csv.reader(text)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise _csv_error(path, reader.line_num, exc) from exc
    columns = [name for name in header]
    if not columns or not any(name.strip() for name in columns):
        raise InputFileError(f"{path} has no header row: the first line must name the columns")

    def rows() -> Iterator[dict[str, Any]]:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_error(path, reader.line_num, exc) from exc
            if values:
                yield dict(zip(columns, values, strict=False))

    return _Source(rows=rows(), columns=columns, handle=handle)


def _csv_error(path: Path, line: int, exc: csv.Error) -> InputFileError:
    if "field larger than field limit" in str(exc):
        return InputFileError(
            f"{path} line {line}: a field is longer than {csv.field_size_limit():,} characters. "
            'Posts are short, so this is usually a quote (") that is never closed and swallows '
            "the following lines: fix the quoting and run again"
        )
    return InputFileError(f"{path} line {line}: not valid CSV ({exc}): fix that line")


_JSON_KINDS = {bool: "true/false", int: "a number", float: "a number", list: "a list",
               dict: "an object"}  # fmt: skip


def _jsonl(path: Path, text: io.TextIOWrapper, handle: io.BufferedReader) -> _Source:
    def parse(line_no: int, line: str) -> dict[str, Any]:
        if len(line) > MAX_LINE:
            raise InputFileError(
                f"{path} line {line_no}: {len(line):,} characters, more than the "
                f"{MAX_LINE:,} a post can have: remove or split that line"
            )
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputFileError(f"{path} line {line_no}: not valid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise InputFileError(f"{path} line {line_no}: JSON nested too deeply") from exc
        if not isinstance(record, dict):
            raise InputFileError(f"{path} line {line_no}: expected a JSON object per line")
        for key, value in record.items():
            if not isinstance(value, str) and value is not None and key in checked:
                kind = _JSON_KINDS.get(type(value), type(value).__name__)
                raise InputFileError(
                    f'{path} line {line_no}: "{key}" is {kind}, not a string: write it in '
                    f'quotes (e.g. "{key}": "123"), so long ids keep every digit'
                )
        return record

    checked: set[str] = set()  # the id and text columns, set once they are known
    lines = ((n, line) for n, line in enumerate(text, start=1) if line.strip())
    first = next(lines, None)
    if first is None:
        raise InputFileError(f"{path} has no records: nothing to score")
    head = parse(*first)

    def rows() -> Iterator[dict[str, Any]]:
        yield parse(*first)  # again, now that the checked columns are known
        for n, line in lines:
            yield parse(n, line)

    source = _Source(rows=rows(), columns=list(head), handle=handle)
    source.checked = checked
    return source


def _pick_id_column(columns: list[str], requested: str | None, path: Path) -> str | None:
    if requested is not None:
        if requested not in columns:
            raise InputFileError(
                f"{path} has no id column {requested!r}; columns found: {', '.join(columns)}"
            )
        return requested
    return next((name for name in ID_CANDIDATES if name in columns), None)


@dataclass
class PostFile:
    """An input file checked and opened for scoring; close it (or use `with`)."""

    path: Path
    source: _Source
    text_column: str
    id_column: str | None

    def __enter__(self) -> PostFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.source.handle.close()


def open_post_file(
    path: Path, *, text_column: str = "text", id_column: str | None = None
) -> PostFile:
    """Open and check a CSV or JSONL file before any model is loaded, so mistakes show fast."""
    source = _open_rows(path)
    try:
        if text_column not in source.columns:
            raise InputFileError(
                f"{path} has no text column {text_column!r}; columns found: "
                f"{', '.join(source.columns)}. Use --text-column NAME."
            )
        id_col = _pick_id_column(source.columns, id_column, path)
        source.checked.update(name for name in (text_column, id_col) if name)
    except InputFileError:
        source.handle.close()
        raise
    return PostFile(path, source, text_column, id_col)


def partial_path(output_path: Path) -> Path:
    """Where `score_file` writes until it is done."""
    return output_path.with_name(output_path.name + ".partial")


def score_file(
    posts: PostFile,
    output_path: Path,
    model: TextModel,
    weights: UrgencySettings,
    *,
    stakes: StakesSettings | None = None,
    progress: bool | None = None,
) -> ScoreSummary:
    """Score `posts` into `output_path` (CSV). Ids without an id column are row numbers.

    The output is written to a temporary file and renamed at the end, so a failure half-way
    never leaves a truncated file that looks complete.
    """
    summary = ScoreSummary()
    source = posts.source
    stakes = stakes or StakesSettings()
    tmp = partial_path(output_path)
    try:
        output_path.parent.mkdir(parents=True, exist_ok=True)
        total = posts.path.stat().st_size
        with (
            tmp.open("w", encoding="utf-8", newline="") as out,
            tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc="scoring",
                # None: show the bar only on a terminal; True/False force it.
                disable=None if progress is None else not progress,
            ) as bar,
        ):
            writer = csv.writer(out)
            writer.writerow(OUTPUT_COLUMNS)
            chunk: list[tuple[str, str]] = []
            for row in source.rows:
                summary.rows += 1
                raw_id = row.get(posts.id_column) if posts.id_column else summary.rows
                row_id = "" if raw_id is None else str(raw_id)
                value = row.get(posts.text_column)
                text = "" if value is None else str(value)
                summary.empty_text += not text.strip()
                chunk.append((row_id, text))
                if len(chunk) >= CHUNK:
                    _write_chunk(writer, chunk, model, weights, stakes)
                    chunk = []
                    bar.update(source.handle.tell() - bar.n)
            if chunk:
                _write_chunk(writer, chunk, model, weights, stakes)
            bar.update(total - bar.n)
        if summary.rows == 0:
            raise InputFileError(f"{posts.path} has a header but no rows: nothing to score")
        tmp.replace(output_path)
    except UnicodeDecodeError as exc:
        raise _encoding_error(posts.path) from exc
    except OSError as exc:
        raise write_failed(output_path, exc) from exc
    finally:
        source.handle.close()
        tmp.unlink(missing_ok=True)
    return summary


def _write_chunk(
    writer: Any,
    chunk: list[tuple[str, str]],
    model: TextModel,
    weights: UrgencySettings,
    stakes: StakesSettings,
) -> None:
    texts = [text for _, text in chunk]
    predictions = model.predict(texts)
    assessments = assess(texts, predictions, model, stakes)
    for (row_id, _), prediction, seen in zip(chunk, predictions, assessments, strict=True):
        urgency = compute_urgency(
            prediction,
            seen.signals,
            PostContext(),
            weights,
            stakes=seen.stakes,
            topic_scores=seen.topic_scores,
            language_supported=seen.language_supported,
        )
        writer.writerow(
            (
                row_id,
                f"{urgency.score:.1f}",
                f"{prediction.negative:.4f}",
                f"{prediction.neutral:.4f}",
                f"{prediction.positive:.4f}",
                "" if prediction.complaint is None else f"{prediction.complaint:.4f}",
                "" if prediction.severity is None else f"{prediction.severity:.2f}",
                seen.intent,
                ";".join(seen.topics),
                seen.language,
                "true" if seen.language_supported else "false",
                urgency.explanation,
            )
        )
