"""Reading values out of platform JSON: times, ids and counts, tolerant of what APIs send.

Each helper returns None for a value it cannot read, so a parser decides what a missing value
means; `Malformed` is how a parser says an item cannot become a post at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 from X (`...000Z`) or Graph (`...+0000`) -> aware UTC datetime, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def time_field(item: Any, key: str) -> datetime | None:
    """`parse_time(item[key])`, None when `item` is no JSON object or the value no time."""
    return parse_time(item.get(key)) if isinstance(item, dict) else None


def from_unix(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def as_id(value: Any) -> str | None:
    """Platform ids as strings: 64-bit ints lose digits in floats and spreadsheets."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_newer(candidate: str, mark: str) -> bool:
    """Snowflake ids grow with time; compare numerically when both are numbers."""
    if candidate.isdigit() and mark.isdigit():
        return int(candidate) > int(mark)
    return candidate > mark


class Malformed(ValueError):
    """An item the platform sent cannot be turned into a post; the message is the reason."""
