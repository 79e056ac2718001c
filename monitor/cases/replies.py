"""Replies to customers: templates, safety checks, and the outbox they wait in.

Scammers pose as support and ask for passwords and card numbers, so our own replies must
never do that, and a public reply must not expose what belongs in a DM. Replies are written
to the `outbox` table first; `send_queued_replies` hands them to a `ReplySender` per platform
(the real X and Facebook sources, or `OutboxOnlySender` in the demo). That keeps the dashboard
free of API calls and makes a crash between "queued" and "sent" visible instead of lost.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.auth.permissions import SYSTEM, Actor, require
from monitor.cases import audit
from monitor.db.models import Author, Case, OutboxMessage, Post
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.scoring.signals import money_amounts, order_numbers
from monitor.sources.base import ReplyTarget, SourceError

Channel = Literal["public", "dm"]
CHANNELS: tuple[Channel, ...] = ("public", "dm")
MAX_LENGTH = {"public": 280, "dm": 10_000}

TEMPLATES: dict[str, str] = {
    "Move to DM": (
        "Hi @{handle}, we're sorry about this and want to help. Please send us a DM with your "
        "order number so we can look into it. Never share your password or card details."
    ),
    "Looking into it": (
        "Thanks for your patience, @{handle}. We're checking this with the right team now and "
        "will update you here shortly."
    ),
    "Refund issued": (
        "Hi {name}, we've issued your refund. It can take 3-5 business days to show on your "
        "statement. Is there anything else we can help with?"
    ),
    "Replacement sent": (
        "Hi {name}, we're sorry your parcel didn't arrive. We've sent a replacement at no cost; "
        "you'll get tracking details by e-mail."
    ),
    "Callback booked": (
        "Hi {name}, a specialist will call you in the next few minutes from our official "
        "number. We will never ask for your password or full card number."
    ),
    "Security first": (
        "@{handle} please don't share personal details here. If someone asked for your "
        "password or gift cards, it wasn't us. DM us and we'll secure your account."
    ),
}

_ASK = r"(?:send|share|give|provide|tell|confirm|reply\s+with|dm|type|enter|need|what\s+is|what's)"
_SECRET = re.compile(
    _ASK + r"\b[^.?!\n]{0,50}\b(?:password|passcode|pass\s*word|pin|one[-\s]time\s+code|otp|"
    r"verification\s+code|security\s+code|2fa\s+code)\b",
    re.IGNORECASE,
)
_CARD_ASK = re.compile(
    _ASK + r"\b[^.?!\n]{0,50}\b(?:(?:full\s+)?(?:credit\s+|debit\s+)?card\s+(?:number|details)|"
    r"cvv|cvc|security\s+digits)\b",
    re.IGNORECASE,
)
_LAST_DIGITS = re.compile(r"\blast\s+(?:4|four)\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"(?:\d[ -]?){12,18}\d")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w@])\+?\d[\d\s().-]{7,}\d\b")
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|"
    r"Ln|Drive|Dr|Court|Ct|Way|Place|Pl)\b|\b\d{5}(?:-\d{4})?\b"
)


@dataclass(frozen=True)
class ReplyIssue:
    blocking: bool  # True: cannot be sent; False: a warning the agent must confirm
    message: str


class ReplyBlocked(UserFacingError):
    def __init__(self, issues: list[ReplyIssue]) -> None:
        super().__init__("reply not queued: " + "; ".join(i.message for i in issues))
        self.issues = issues


class ReplyNeedsConfirmation(UserFacingError):
    def __init__(self, issues: list[ReplyIssue]) -> None:
        super().__init__("confirm before sending: " + "; ".join(i.message for i in issues))
        self.issues = issues


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def check_reply(text: str, channel: Channel) -> list[ReplyIssue]:
    issues: list[ReplyIssue] = []
    if not text.strip():
        issues.append(ReplyIssue(True, "the reply is empty"))
    if len(text) > MAX_LENGTH[channel]:
        issues.append(
            ReplyIssue(True, f"a {channel} reply has at most {MAX_LENGTH[channel]} characters")
        )
    if _SECRET.search(text):
        issues.append(
            ReplyIssue(True, "never ask for a password or a one-time code: scammers do that")
        )
    for sentence in re.split(r"[.?!\n]", text):
        if _CARD_ASK.search(sentence) and not _LAST_DIGITS.search(sentence):
            issues.append(
                ReplyIssue(True, "never ask for a card number or CVV (the last 4 digits are ok)")
            )
            break
    for run in _DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        if 13 <= len(digits) <= 19 and _luhn(digits):
            issues.append(ReplyIssue(True, "the reply contains what looks like a card number"))
            break
    if channel == "public":
        exposed = []
        if _EMAIL.search(text):
            exposed.append("an e-mail address")
        if _PHONE.search(re.sub(r"\b\d{3}-\d{7}-\d{7}\b", "", text)):
            exposed.append("a phone number")
        if _ADDRESS.search(text):
            exposed.append("a postal address")
        if money_amounts(text):
            exposed.append("an amount (order total or refund)")
        if order_numbers(text):
            exposed.append("an order number")
        if exposed:
            issues.append(
                ReplyIssue(
                    False,
                    f"this public reply shows {', '.join(exposed)}: everyone can read it. "
                    "Move to DM instead",
                )
            )
    return issues


def fill_template(name: str, *, handle: str, customer_name: str | None) -> str:
    first = (customer_name or "").split(" ")[0] or f"@{handle}"
    return TEMPLATES[name].format(handle=handle, name=first)


def _target_post(session: Session, case_id: int, channel: Channel) -> Post:
    """The newest inbound post of the case on the chosen channel (any, if none matches)."""
    posts = session.scalars(
        select(Post)
        .where(Post.case_id == case_id, Post.inbound.is_(True))
        .order_by(Post.created_at.desc(), Post.id.desc())
    ).all()
    if not posts:
        raise UserFacingError(f"case {case_id} has no customer post to answer")
    wanted = [p for p in posts if (p.kind == "dm") == (channel == "dm")]
    return (wanted or posts)[0]


def queue_reply(
    session: Session,
    actor: Actor,
    case_id: int,
    text: str,
    *,
    channel: Channel,
    confirm_warnings: bool = False,
    now: datetime | None = None,
) -> OutboxMessage:
    """Check and queue a reply. Blocking issues always refuse; warnings refuse unless
    `confirm_warnings` says the agent has read them."""
    require(actor, "case.work")
    if actor.user_id is None:
        raise UserFacingError("replies must be written by a signed-in user")
    now = now or utcnow()
    case = session.get(Case, case_id)
    if case is None:
        raise UserFacingError(f"no case {case_id}")
    issues = check_reply(text, channel)
    if any(i.blocking for i in issues):
        raise ReplyBlocked([i for i in issues if i.blocking])
    if issues and not confirm_warnings:
        raise ReplyNeedsConfirmation(issues)
    post = _target_post(session, case_id, channel)
    message = OutboxMessage(
        case_id=case.id,
        post_id=post.id,
        author_id=actor.user_id,
        channel=channel,
        text=text.strip(),
        status="queued",
        created_at=now,
    )
    session.add(message)
    before = {"status": case.status}
    if case.first_response_at is None:
        case.first_response_at = now
    if case.status in ("new", "open"):
        case.status = "waiting"
    case.sla_due_at = None  # answered: the clock stops until the customer writes again
    session.flush()
    audit.record(
        session, actor, "reply.queue", "case", case.id,
        before=before,
        after={"status": case.status, "outbox_id": message.id, "channel": channel,
               "warnings": [i.message for i in issues]},
        at=now,
    )  # fmt: skip
    return message


class ReplySender(Protocol):
    """Anything that can post a reply; the X and Facebook sources already match this."""

    def send_reply(self, target: ReplyTarget, text: str) -> str: ...


class OutboxOnlySender:
    """The demo's sender: the reply stays in the outbox table, marked sent, and no API is
    called. Swap in a real source per platform to go live."""

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        return f"outbox-{uuid.uuid4().hex[:16]}"


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    no_sender: list[str] = field(default_factory=list)  # platforms without a sender


def send_queued_replies(
    session: Session,
    senders: Mapping[str, ReplySender],
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> SendSummary:
    """One idempotent step for the scheduler: claim each queued reply, send it, record it.

    The claim is `UPDATE ... WHERE status = 'queued'` with a row-count check, so two workers
    never send the same message. Call it, then commit.
    """
    summary = SendSummary()
    rows = session.execute(
        select(OutboxMessage, Post, Author)
        .join(Post, Post.id == OutboxMessage.post_id)
        .join(Author, Author.id == Post.author_id)
        .where(OutboxMessage.status == "queued")
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    for message, post, author in rows:
        # The source that collected the post answers it (the right brand account); a sender
        # registered for the whole platform is the fallback.
        sender = senders.get(post.source) or senders.get(post.platform)
        if sender is None:
            if post.platform not in summary.no_sender:
                summary.no_sender.append(post.platform)
            continue
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.status == "queued")
            .values(status="sending")
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        target = ReplyTarget(
            platform=post.platform,
            kind="dm" if message.channel == "dm" else post.kind,
            external_id=post.external_id,
            author_external_id=author.external_id,
            conversation_id=post.conversation_id,
        )
        status, external_id, error = _send(sender, target, message.text)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(
                status=status,
                external_id=external_id,
                error=error,
                sent_at=(now or utcnow()) if status == "sent" else None,
            )
            .execution_options(synchronize_session=False)
        )
        session.expire(message)
        summary.sent += status == "sent"
        summary.failed += status == "failed"
        summary.retry_later += status == "queued"
        audit.record(
            session, SYSTEM, f"reply.{status if status != 'queued' else 'retry'}", "outbox",
            message.id, after={"external_id": external_id, "error": error},
        )  # fmt: skip
    session.flush()
    return summary


def _send(
    sender: ReplySender, target: ReplyTarget, text: str
) -> tuple[str, str | None, str | None]:
    try:
        return "sent", sender.send_reply(target, text)[:64], None
    except SourceError as exc:
        return ("failed" if exc.permanent else "queued"), None, str(exc)[:1000]
