"""What every source produces and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from monitor.errors import UserFacingError


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


class SourceError(UserFacingError):
    """A source failed. `permanent` (bad token, revoked access) needs a human; others pass.

    `retry_at` is set for rate limits: the poller skips the source until then instead of
    sleeping inside a job.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, retry_at: datetime | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_at = retry_at


@dataclass(slots=True)
class RejectedItem:
    """An item the platform sent that could not be understood; kept raw for inspection."""

    reason: str
    raw: dict[str, Any]


@dataclass(slots=True)
class FetchResult:
    """One poll's outcome. Posts and `cursor` are committed together by the poller.

    The cursor only ever covers what this result holds. When the page budget ends a poll, or
    a later page fails (`complete` False, `error` says why), the cursor keeps where the
    backlog continues and the floor below which everything is stored; the next poll carries
    on from there, so nothing is skipped, and deduplication drops any overlap.
    `catching_up` says a backlog is left; `backlog` estimates its size when the API allows.
    """

    posts: list[IncomingPost]
    cursor: dict[str, Any] | None
    complete: bool = True
    error: SourceError | None = None
    rejected: list[RejectedItem] = field(default_factory=list)
    rate_limit_remaining: int | None = None
    rate_limit_limit: int | None = None
    rate_limit_reset_at: datetime | None = None
    token_expires_at: datetime | None = None
    catching_up: bool = False
    backlog: int | None = None
    requests: int = 0  # HTTP requests this poll made, to pace polls within a rate-limit window


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """What a source needs to answer a stored post on its own channel."""

    platform: str
    kind: str  # mention/comment: public reply; dm: private message
    external_id: str  # the post being answered
    author_external_id: str
    conversation_id: str | None = None


class Source(Protocol):
    name: str
    # The connector, as `[[sources]] platform` names it (x, facebook, instagram, replay, demo);
    # stored on the source's state and shown with its health. Each post carries the social
    # network it was written on: the same as this for a platform's own API, but a replay file
    # or the demo stream holds posts of several networks, and a case, an author and a reply
    # belong to the network, not to the connector that fetched them.
    platform: str

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        """Fetch posts newer than `cursor`. Raises SourceError only when nothing was fetched."""
        ...

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        """Send `text` as a public reply or DM, as fits the target; returns the new id."""
        ...
