"""The `[replies]` section: how replies leave the outbox."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class ReplySettings(Section):
    # True: replies are recorded in the outbox as sent and no platform API is called (demo,
    # training). False: each reply goes out through the source that collected the post.
    outbox_only: bool = False
    # Sending from the outbox (see monitor/outbound.py): attempts before a reply is marked
    # failed, the backoff between them, and when a claim by a stopped process counts as
    # abandoned (the reply then waits as "unknown" for someone to check the platform).
    max_attempts: int = Field(5, ge=1, le=50)
    backoff_seconds: float = Field(60.0, ge=0)
    backoff_max_seconds: float = Field(3600.0, ge=0)
    stale_claim_minutes: float = Field(10.0, gt=0)
    # Sites other than the brand's own ([brand] domains) that replies may link to without a
    # warning, e.g. a carrier's tracking site. Look-alike and sign-in links are always refused.
    link_domains: tuple[str, ...] = ()
