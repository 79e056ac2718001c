"""Recorded posts in the "Customer Support on Twitter" (TWCS) CSV format, streamed row by row.

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id, possibly after a pandas index column (unnamed) and an `index`
column, and optionally `platform` (x, facebook or instagram; x when absent). Files written by
pandas turn reply ids into floats (`3.0`); some rows carry bare CR characters inside unquoted
text, which splits them. Such rows are skipped and counted, never fatal: a 100 MB replay
should not stop at row two million because of one broken tweet.

This module only reads; `monitor.ingest_replay` stores a whole file, `stream.ReplaySource`
feeds it to the poller a batch at a time.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from monitor.errors import UserFacingError
from monitor.file_checks import looks_utf16
from monitor.sources.base import AuthorInfo, IncomingPost

REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text")
OPTIONAL = ("in_response_to_tweet_id", "response_tweet_id", "platform")
# An optional `platform` column replays Facebook and Instagram posts too (default: x); the
# customer's posts are comments there, not mentions.
PLATFORM_KINDS = {"x": "mention", "facebook": "comment", "instagram": "comment"}
EXAMPLE_TIME = "Tue Oct 31 22:10:47 +0000 2017"
MAX_EXAMPLES = 5
SNIFF_BYTES = 64 * 1024
# Times outside this range are typos or corruption; beyond year 9998 they overflow as well.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_ID = re.compile(r"(\d{1,20})(?:\.0*)?")
_BAD_BYTES = re.compile("[\udc80-\udcff]")  # undecodable bytes, kept by surrogateescape


class ReplayFileError(UserFacingError):
    """The file cannot be replayed at all; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class MalformedRow:
    line: int  # physical line where the row starts (the header is line 1)
    reason: str


@dataclass
class ReplayStats:
    """Filled in while `read_twcs` streams: rows read (malformed included) and what was wrong.

    `pending` holds every skipped row since the last `drain`, for a poller to report."""

    rows: int = 0
    malformed: int = 0
    examples: list[MalformedRow] = field(default_factory=list)
    pending: list[MalformedRow] = field(default_factory=list)

    def skip(self, line: int, reason: str) -> None:
        self.malformed += 1
        row = MalformedRow(line, reason)
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(row)
        self.pending.append(row)

    def drain(self) -> list[MalformedRow]:
        rows, self.pending = self.pending, []
        return rows


def read_twcs(
    path: Path, *, source: str = "replay", stats: ReplayStats | None = None
) -> Iterator[IncomingPost]:
    """Check the file now (raising ReplayFileError), then stream its rows as posts.

    Pass a `ReplayStats` to learn how many rows were read and which were skipped.
    """
    path = Path(path)
    header = _check_file(path)
    return _stream(path, header, source, stats if stats is not None else ReplayStats())


def parse_twcs_time(value: str) -> datetime:
    """`Tue Oct 31 22:10:47 +0000 2017` (or ISO 8601) as an aware UTC datetime."""
    parts = value.split()
    if len(parts) == 6 and parts[1] in MONTHS:
        _, month, day, clock, offset, year = parts
        hour, minute, second = (int(p) for p in clock.split(":"))
        if not re.fullmatch(r"[+-]\d{4}", offset):
            raise ValueError(value)
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:]))
        zone = timezone(-delta if offset[0] == "-" else delta)
        local = datetime(int(year), MONTHS[month], int(day), hour, minute, second, tzinfo=zone)
        return local.astimezone(UTC)
    parsed = datetime.fromisoformat(value.strip())  # ValueError when it is neither
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def normalise_id(value: str) -> str | None:
    """`3.0` -> `3`; 19-digit ids stay exact; empty -> None; anything else is an error."""
    value = value.strip()
    if not value:
        return None
    match = _ID.fullmatch(value)
    if match is None:
        raise ValueError(value)
    return str(int(match.group(1)))


def _check_file(path: Path) -> list[str]:
    """Fail early and clearly: what is wrong with the file, and what to do about it."""
    if path.is_dir():
        csvs = sorted(p.name for p in path.glob("*.csv"))[:5]
        hint = f" It contains: {', '.join(csvs)}." if csvs else ""
        raise ReplayFileError(f"{path} is a folder, not a file: pass the CSV file itself.{hint}")
    if not path.exists():
        where = path.parent
        nearby = sorted(p.name for p in where.glob("*.csv"))[:5] if where.is_dir() else []
        hint = f" CSV files in {where}: {', '.join(nearby)}." if nearby else ""
        raise ReplayFileError(f"File not found: {path}. Check the path.{hint}")
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ReplayFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if not head.strip():
        what = "is empty" if not head else "is empty: it contains only blank lines or spaces"
        raise ReplayFileError(
            f"{path} {what}: expected a CSV whose first line names the columns "
            f"({', '.join(REQUIRED + OPTIONAL)})."
        )
    _check_utf8(path, head)
    if b"\0" in head:
        what = "only NUL bytes" if not head.strip(b"\0") else "NUL bytes"
        raise ReplayFileError(
            f"{path} contains {what}: it is binary or damaged data, not a CSV. Export the "
            "posts again."
        )
    if b"\r" in head and b"\n" not in head:
        raise ReplayFileError(
            f"{path} has old Mac line endings (CR only): convert them first, e.g. "
            f"tr '\\r' '\\n' < '{path}' > converted.csv"
        )
    header = next(csv.reader(head.decode("utf-8-sig", "replace").splitlines()[:1]), [])
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(repr(name) for name in header) or "nothing"
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            hint = " The columns seem separated by something else than commas: save as CSV."
        raise ReplayFileError(
            f"{path} is not a TWCS file: missing column(s) {', '.join(missing)}; found {found}. "
            f"Expected a header with {', '.join(REQUIRED + OPTIONAL)}.{hint}"
        )
    return header


def _check_utf8(path: Path, head: bytes) -> None:
    if looks_utf16(head):
        raise ReplayFileError(
            f"{path} is UTF-16 text, not UTF-8. Re-save it as 'CSV UTF-8', or convert it: "
            f"iconv -f UTF-16 -t UTF-8 '{path}' > converted.csv"
        )
    try:  # the last few bytes may cut a character in half: decode incrementally
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise ReplayFileError(
            f"{path} is not UTF-8 text (byte 0x{head[exc.start]:02x} on line {line} cannot be "
            f"decoded). Convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8 '{path}' > "
            "converted.csv"
        ) from exc


def _stream(
    path: Path, header: list[str], source: str, stats: ReplayStats
) -> Iterator[IncomingPost]:
    width = len(header)
    names = [name.strip() or "_index" for name in header]  # pandas' index column has no name
    columns = {name.lower(): i for i, name in reversed(list(enumerate(names)))}
    # newline="\n": lines split only at LF, so a bare CR inside an unquoted field makes the
    # csv module raise for that one row instead of silently cutting it into fragments.
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="\n") as handle:
        reader = csv.reader(handle, strict=False)
        next(reader, None)  # the header, checked already
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                stats.rows += 1
                stats.skip(line, _csv_reason(exc))
                continue
            if not row:
                continue  # a blank line is not a row
            stats.rows += 1
            if len(row) != width:
                stats.skip(line, f"{len(row)} fields instead of {width}")
                continue
            try:
                yield _post(row, columns, names, source)
            except _Malformed as exc:
                stats.skip(line, str(exc))


class _Malformed(Exception):
    pass


def _post(row: list[str], columns: dict[str, int], names: list[str], source: str) -> IncomingPost:
    def get(name: str) -> str:
        return row[columns[name]] if name in columns else ""

    if _BAD_BYTES.search("".join(row)):
        raise _Malformed("bytes that are not UTF-8")
    try:
        tweet_id = normalise_id(get("tweet_id"))
    except ValueError:
        raise _Malformed(f"tweet_id {get('tweet_id')[:30]!r} is not an integer id") from None
    if tweet_id is None:
        raise _Malformed("tweet_id is empty")
    author = get("author_id").strip()
    if not author:
        raise _Malformed("author_id is empty")
    inbound = get("inbound").strip().lower()
    if inbound not in ("true", "false", "1", "0"):
        raise _Malformed(f"inbound {get('inbound')[:20]!r} is not True or False")
    try:
        created: datetime | None = parse_twcs_time(get("created_at"))
    except (ValueError, KeyError):
        raise _Malformed(
            f"created_at {get('created_at')[:40]!r} is not a time like {EXAMPLE_TIME!r}"
        ) from None
    except OverflowError:
        created = None  # year 1 or 9999 shifted by its UTC offset
    if created is None or not EARLIEST <= created <= datetime.now(UTC) + FUTURE_SLACK:
        raise _Malformed(
            f"created_at {get('created_at')[:40]!r} is not a possible time (before "
            f"{EARLIEST.year} or in the future)"
        )
    try:
        parent = normalise_id(get("in_response_to_tweet_id"))
    except ValueError:
        value = get("in_response_to_tweet_id")[:30]
        raise _Malformed(f"in_response_to_tweet_id {value!r} is not an integer id") from None
    is_inbound = inbound in ("true", "1")
    platform = get("platform").strip().lower() or "x"
    if platform not in PLATFORM_KINDS:
        raise _Malformed(f"platform {get('platform')[:20]!r} is not x, facebook or instagram")
    raw: dict[str, Any] = dict(zip(names, row, strict=True))
    return IncomingPost(
        platform=platform,
        external_id=tweet_id,
        kind=PLATFORM_KINDS[platform] if is_inbound else "reply",
        author=AuthorInfo(platform=platform, external_id=author, handle=author),
        text=get("text"),
        created_at=created,
        source=source,
        inbound=is_inbound,
        in_reply_to_id=parent,
        raw=raw,
    )


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return (
            f"a field longer than {csv.field_size_limit():,} characters (usually a quote that "
            "is never closed)"
        )
    if "new-line character" in message:
        return "a bare carriage return (CR) inside an unquoted field breaks the row"
    if "NUL" in message:
        return "contains a NUL byte"
    return f"unreadable CSV ({message})"
