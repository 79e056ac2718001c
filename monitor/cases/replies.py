"""Replies to customers: safety checks, and the outbox they wait in (templates: templates.py).

Scammers pose as support and ask for passwords and card numbers, so our own replies must
never do that, and a public reply must not expose what belongs in a DM. Replies are written
to the `outbox` table first; `send_queued_replies` hands them to a `ReplySender` per platform
(the real X and Facebook sources, or `OutboxOnlySender` in the demo) through the claim, call,
record path of `monitor.outbound`. That keeps the dashboard free of API calls, and a crash
between the platform call and its record leaves the reply "unknown" for a person to check,
never sent a second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor import outbound, submissions
from monitor.auth.permissions import SYSTEM, Actor, require
from monitor.cases import audit
from monitor.cases.reply_check import (
    NO_BRAND,
    BrandContacts,
    Channel,
    ReplyIssue,
    check_reply,
)
from monitor.config import ReplySettings
from monitor.db.models import Author, Case, OutboxMessage, Post
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.sources.base import ReplyTarget, SourceError
from monitor.vocab import CallStatus, CaseStatus, Permission, PostKind, ReplyChannel

CHANNELS: tuple[Channel, ...] = tuple(Channel)


class ReplyBlocked(UserFacingError):
    def __init__(self, issues: list[ReplyIssue]) -> None:
        super().__init__("reply not queued: " + "; ".join(i.message for i in issues))
        self.issues = issues


class ReplyNeedsConfirmation(UserFacingError):
    def __init__(self, issues: list[ReplyIssue]) -> None:
        super().__init__("confirm before sending: " + "; ".join(i.message for i in issues))
        self.issues = issues


def _target_post(session: Session, case_id: int, channel: Channel) -> Post:
    """The newest inbound post of the case on the chosen channel (any, if none matches)."""
    posts = session.scalars(
        select(Post)
        .where(Post.case_id == case_id, Post.inbound.is_(True))
        .order_by(Post.created_at.desc(), Post.id.desc())
    ).all()
    if not posts:
        raise UserFacingError(f"case {case_id} has no customer post to answer")
    wanted = [p for p in posts if (p.kind == PostKind.DM) == (channel == ReplyChannel.DM)]
    return (wanted or posts)[0]


def queue_reply(
    session: Session,
    actor: Actor,
    case_id: int,
    text: str,
    *,
    channel: Channel,
    key: str,
    confirm_warnings: bool = False,
    brand: BrandContacts = NO_BRAND,
    now: datetime | None = None,
) -> OutboxMessage:
    """Check and queue a reply, once per submission `key`. Blocking issues always refuse;
    warnings refuse unless `confirm_warnings` says the agent has read them. `brand` is the
    configured brand: without it every link is flagged."""
    require(actor, Permission.CASE_WORK)
    if actor.user_id is None:
        raise UserFacingError("replies must be written by a signed-in user")
    now = now or utcnow()
    issues = check_reply(text, channel, brand)
    if any(i.blocking for i in issues):
        raise ReplyBlocked([i for i in issues if i.blocking])
    if issues and not confirm_warnings:
        raise ReplyNeedsConfirmation(issues)
    submissions.begin(session, key, "reply.queue", actor, case_id=case_id)
    case = session.get(Case, case_id)
    if case is None:
        raise UserFacingError(f"no case {case_id}")
    post = _target_post(session, case_id, channel)
    message = OutboxMessage(
        case_id=case.id,
        post_id=post.id,
        author_id=actor.user_id,
        channel=channel,
        text=text.strip(),
        status=CallStatus.QUEUED,
        created_at=now,
    )
    session.add(message)
    before = {"status": case.status}
    if case.first_response_at is None:
        case.first_response_at = now
    if case.status in (CaseStatus.NEW, CaseStatus.OPEN):
        case.status = CaseStatus.WAITING
    case.sla_due_at = None  # answered: the clock stops until the customer writes again
    session.flush()
    audit.record(
        session, actor, "reply.queue", "case", case.id,
        before=before,
        after={"status": case.status, "outbox_id": message.id, "channel": channel,
               "warnings": [i.message for i in issues]},
        at=now,
    )  # fmt: skip
    submissions.finish(session, key, f"{channel} reply #{message.id} queued")
    return message


class ReplySender(Protocol):
    """Anything that can post a reply; the X and Facebook sources already match this."""

    def send_reply(self, target: ReplyTarget, text: str) -> str: ...


class OutboxOnlySender:
    """The demo's sender: the reply stays in the outbox table, marked sent, and no API is
    called. Swap in a real source per platform to go live."""

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        return f"outbox-{uuid.uuid4().hex[:16]}"


OUTBOX = outbound.Lifecycle(OutboxMessage)


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0  # gave up: a permanent error or the last attempt
    retry_later: int = 0
    unknown: int = 0  # abandoned mid-send by a stopped process: check before retrying
    no_sender: list[str] = field(default_factory=list)  # platforms without a sender


def _audit_outcome(session: Session, taken: outbound.Claim, status: str, error: str | None) -> None:
    actions: dict[str, str] = {CallStatus.SENT: "reply.sent", CallStatus.QUEUED: "reply.retry"}
    action = actions.get(status, f"reply.{status}")
    external_id = session.scalar(
        select(OutboxMessage.external_id).where(OutboxMessage.id == taken.row_id)
    )
    audit.record(
        session, SYSTEM, action, "outbox", taken.row_id,
        after={"attempt": taken.attempt, "external_id": external_id, "error": error},
    )  # fmt: skip


def send_queued_replies(
    sessions: sessionmaker[Session],
    senders: Mapping[str, ReplySender],
    settings: ReplySettings | None = None,
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> SendSummary:
    """One idempotent step for the scheduler: recover abandoned claims, then claim each due
    reply (committed), send it, record the outcome. Safe to run in several processes."""
    policy = outbound.RetryPolicy.of(settings or ReplySettings())
    now = now or utcnow()
    summary = SendSummary()
    summary.unknown = len(
        outbound.recover_stale(sessions, OUTBOX, policy, now, on_recover=_audit_outcome)
    )
    with sessions() as session:
        due = outbound.due(session, OUTBOX, policy, now, limit=limit)
        rows = session.execute(
            select(OutboxMessage.id, Post, Author)
            .join(Post, Post.id == OutboxMessage.post_id)
            .join(Author, Author.id == Post.author_id)
            .where(OutboxMessage.id.in_(due))
            .order_by(OutboxMessage.id)
        ).all()
        jobs = []
        for message_id, post, author in rows:
            # The source that collected the post answers it (the right brand account); a
            # sender registered for the whole platform is the fallback.
            sender = senders.get(post.source) or senders.get(post.platform)
            if sender is None:
                if post.platform not in summary.no_sender:
                    summary.no_sender.append(post.platform)
                continue
            message = session.get_one(OutboxMessage, message_id)
            target = ReplyTarget(
                platform=post.platform,
                kind=PostKind.DM if message.channel == ReplyChannel.DM else post.kind,
                external_id=post.external_id,
                author_external_id=author.external_id,
                conversation_id=post.conversation_id,
            )
            jobs.append((message_id, sender, target, message.text))
    for message_id, sender, target, text in jobs:
        done = outbound.attempt(
            sessions, OUTBOX, policy, message_id, _sender_call(sender, target, text, now), now,
            on_record=_audit_outcome,
        )  # fmt: skip
        status = done.status if done else None
        summary.sent += status == outbound.SENT
        summary.failed += status == OUTBOX.failed
        summary.retry_later += status == OUTBOX.retry
    return summary


def _sender_call(
    sender: ReplySender, target: ReplyTarget, text: str, now: datetime
) -> outbound.Callable[[outbound.Claim], dict[str, object]]:
    def call(_taken: outbound.Claim) -> dict[str, object]:
        try:
            external_id = sender.send_reply(target, text)
        except SourceError as exc:
            raise outbound.CallFailed(str(exc)[:1000], permanent=exc.permanent) from exc
        return {"external_id": external_id[:64], "sent_at": now}

    return call


def confirm_reply_posted(
    session: Session,
    actor: Actor,
    message_id: int,
    *,
    key: str,
    external_id: str = "",
    now: datetime | None = None,
) -> OutboxMessage:
    """A reply left `unknown` by a stopped sender was found on the platform: record it as sent
    instead of posting it again. Audited."""
    require(actor, Permission.CASE_WORK)
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise UserFacingError(f"no reply {message_id} in the outbox")
    submissions.check(session, key)
    submissions.begin(session, key, "reply.confirm_posted", actor, case_id=message.case_id)
    values = {"sent_at": now or utcnow(), "external_id": external_id.strip()[:64] or None}
    if not outbound.confirm_sent(session, OUTBOX, message_id, values):
        raise UserFacingError(
            f"reply {message_id} is {message.status}: only a reply whose sending is unknown can "
            "be confirmed as posted"
        )
    audit.record(
        session, actor, "reply.confirm_posted", "outbox", message_id,
        before={"status": message.status}, after={"status": CallStatus.SENT.value, **values},
    )  # fmt: skip
    session.expire(message)
    submissions.finish(session, key, f"reply #{message_id} recorded as posted")
    return message


def retry_reply(
    session: Session, actor: Actor, message_id: int, *, key: str, now: datetime | None = None
) -> OutboxMessage:
    """Send a failed or unknown reply again, after a person checked the platform. Audited."""
    require(actor, Permission.CASE_WORK)
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise UserFacingError(f"no reply {message_id} in the outbox")
    submissions.check(session, key)
    submissions.begin(session, key, "reply.requeue", actor, case_id=message.case_id)
    if not outbound.requeue(session, OUTBOX, message_id, now or utcnow()):
        raise UserFacingError(
            f"reply {message_id} is {message.status}: only a failed or unknown reply can be "
            "sent again"
        )
    audit.record(
        session, actor, "reply.requeue", "outbox", message_id,
        before={"status": message.status, "error": message.error},
        after={"status": CallStatus.QUEUED.value},
    )  # fmt: skip
    session.expire(message)
    submissions.finish(session, key, f"reply #{message_id} queued again")
    return message
