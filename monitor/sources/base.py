"""What every source produces and the one error it raises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AuthorInfo:
    platform: str
    external_id: str
    handle: str
    display_name: str | None = None
    followers: int = 0
    verified: bool = False


@dataclass(frozen=True, slots=True)
class IncomingPost:
    """A post normalised from any platform, ready to store."""

    platform: str
    external_id: str
    kind: str  # mention, comment, dm, reply
    author: AuthorInfo
    text: str
    created_at: datetime  # timezone-aware UTC
    source: str = ""
    inbound: bool = True
    conversation_id: str | None = None
    in_reply_to_id: str | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)


class SourceError(Exception):
    """A source failed. `permanent` (bad token, revoked access) needs a human; others pass."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_at: datetime | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_at = retry_at


class Source(Protocol):
    name: str
    platform: str

    def fetch(self, cursor: dict[str, Any] | None) -> Iterator[IncomingPost]:
        """Yield posts newer than `cursor`; raise SourceError on failure."""
        ...
