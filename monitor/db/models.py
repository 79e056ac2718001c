"""The whole domain as SQLAlchemy 2.0 ORM models.

Platform ids are 64-bit and arrive as strings from the APIs; they stay strings here so no
layer (JSON, Excel, JavaScript) can round them. Every time is timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from monitor.db.types import UTCDateTime, utcnow
from monitor.vocab import (
    AlertStatus,
    CallStatus,
    CaseStatus,
    FeedbackKind,
    Platform,
    PostKind,
    ReplyChannel,
    ReportKind,
    ReportRunStatus,
    ResolutionKind,
    ResolutionStatus,
    Role,
)

# Stable constraint names so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def vocab(values: type[StrEnum], column: str, length: int = 20) -> Enum:
    """A VARCHAR holding one value of a `monitor.vocab` vocabulary, checked by the database.

    Not a native enum type, so adding a value is a new CHECK constraint rather than an
    ALTER TYPE, and SQLite and PostgreSQL store the same plain strings. The constraint is
    named after the column (`ck_<table>_<column>`) so migrations can find it.
    """
    return Enum(
        values,
        name=column,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    x_handle: Mapped[str | None] = mapped_column(String(100), index=True)
    facebook_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Author(Base):
    """A social account that wrote posts; optionally known to be one of our customers."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(vocab(Platform, "platform"))
    external_id: Mapped[str] = mapped_column(String(64))
    handle: Mapped[str] = mapped_column(String(100), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    followers: Mapped[int] = mapped_column(Integer, default=0)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)

    customer: Mapped[Customer | None] = relationship()


class Case(Base):
    """One customer's open thread on one platform: the unit the team works and resolves."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_status_priority", "status", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(vocab(Platform, "platform"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(vocab(CaseStatus, "status"), default=CaseStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    priority: Mapped[float] = mapped_column(Float, default=0.0)  # peak urgency so far
    intent: Mapped[str | None] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    sla_due_at: Mapped[datetime | None] = mapped_column(index=True)

    author: Mapped[Author] = relationship()
    posts: Mapped[list[Post]] = relationship(back_populates="case", order_by="Post.created_at")


# The Queue's order (monitor/cases/queue.py): cases owing a reply first, then the most urgent,
# so one page of the queue is read straight from this index (migration 0012_queue_order).
Index(
    "ix_cases_queue_order",
    text("(first_response_at IS NOT NULL AND sla_due_at IS NULL)"),  # answered last
    Case.priority.desc(),
    Case.last_post_at.desc(),
    Case.id,
)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        Index("ix_posts_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(vocab(Platform, "platform"))
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PostKind] = mapped_column(vocab(PostKind, "kind"))
    source: Mapped[str] = mapped_column(String(100), default="")  # configured source name
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    inbound: Mapped[bool] = mapped_column(Boolean, default=True)  # False: written by the brand
    created_at: Mapped[datetime] = mapped_column(index=True)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    in_reply_to_id: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[dict[str, Any] | None]
    # Someone else's reply under a customer's public post (stored for impostor checks): neither
    # the customer's words nor ours, so it is never scored for urgency nor answered.
    third_party: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    author: Mapped[Author] = relationship()
    case: Mapped[Case | None] = relationship(back_populates="posts")
    score: Mapped[Score | None] = relationship(back_populates="post", uselist=False)


class Score(Base):
    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    model_version: Mapped[str] = mapped_column(String(80))
    negative: Mapped[float] = mapped_column(Float)
    neutral: Mapped[float] = mapped_column(Float)
    positive: Mapped[float] = mapped_column(Float)
    complaint: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[float | None] = mapped_column(Float)
    urgency: Mapped[float] = mapped_column(Float, index=True)
    intent: Mapped[str] = mapped_column(String(40), default="other")
    language_supported: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)  # ISO 639-1
    # Every topic above its threshold, ";"-separated (no topic name contains another, so a
    # substring test filters by topic), and each topic's probability from the topic head.
    topics: Mapped[str] = mapped_column(String(200), default="")
    topic_scores: Mapped[dict[str, Any] | None]
    factors: Mapped[dict[str, Any]]  # factor name -> points, so any score can be explained
    explanation: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="score")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. 112-4455667-1234567
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="purchase")  # or subscription
    items: Mapped[list[Any]]  # [{"name": ..., "qty": ..., "price": ...}]
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(30))  # placed, shipped, delivered, cancelled...
    ordered_at: Mapped[datetime]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))

    customer: Mapped[Customer] = relationship(back_populates="orders")
    charges: Mapped[list[Charge]] = relationship(order_by="Charge.charged_at")


class Charge(Base):
    """A payment taken for an order; billing errors (double or post-cancellation) show here."""

    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    charged_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(String(200), default="")


class CaseOrderLink(Base):
    __tablename__ = "case_order_links"
    __table_args__ = (UniqueConstraint("case_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    evidence: Mapped[str] = mapped_column(String(300), default="")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None for SSO-only users
    role: Mapped[Role] = mapped_column(vocab(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    # The identity provider's issuer and subject, once single sign-on has been linked: later
    # sign-ins match on it, not on an e-mail address that the provider lets users change.
    sso_subject: Mapped[str | None] = mapped_column(String(400), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resolution(Base):
    """A refund, replacement, credit, callback, escalation or lock, from request to execution."""

    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    action: Mapped[ResolutionKind] = mapped_column(vocab(ResolutionKind, "action", 30))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Set by every request: approved when the requester's clearance covers it.
    status: Mapped[ResolutionStatus] = mapped_column(vocab(ResolutionStatus, "status"), index=True)
    details: Mapped[dict[str, Any] | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    executed_at: Mapped[datetime | None]
    external_reference: Mapped[str | None] = mapped_column(String(100))


class ModelFeedback(Base):
    """An agent's correction of the model on a case: the right intent, or more/less urgent.

    What the model said is kept beside it, so agreement can be measured later and the
    corrections can (optionally) train the next topic head.
    """

    __tablename__ = "model_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[FeedbackKind] = mapped_column(vocab(FeedbackKind, "kind"))
    model_intent: Mapped[str] = mapped_column(String(40))
    model_urgency: Mapped[float] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(40))  # the agent's intent
    urgency_direction: Mapped[int | None] = mapped_column(Integer)  # +1 more, -1 less urgent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only, hash-chained log of every action (who, what, when, before and after)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of `hash` with the key named by `audit.hmac_key_env`; None when no key is set.
    mac: Mapped[str | None] = mapped_column(String(64))


Index("ix_audit_log_entity", AuditEntry.entity, AuditEntry.entity_id)


class MetaSetting(Base):
    """Facts about the database itself, e.g. that `monitor demo` created it."""

    __tablename__ = "monitor_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(60))
    route: Mapped[str] = mapped_column(String(60))
    dedupe_key: Mapped[str] = mapped_column(String(200), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[AlertStatus] = mapped_column(
        vocab(AlertStatus, "status"), default=AlertStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]  # when the running attempt started (see outbound.py)
    next_attempt_at: Mapped[datetime | None]  # backoff: not tried again before this


class SourceState(Base):
    """Cursor and health of one configured source (one brand account on one platform)."""

    __tablename__ = "source_states"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    cursor: Mapped[dict[str, Any] | None]
    healthy: Mapped[bool] = mapped_column(Boolean, default=True)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    items_last_poll: Mapped[int] = mapped_column(Integer, default=0)
    lag_seconds: Mapped[float | None] = mapped_column(Float)
    rate_limit_remaining: Mapped[int | None] = mapped_column(Integer)
    rate_limit_reset_at: Mapped[datetime | None]
    token_expires_at: Mapped[datetime | None]
    rate_limit_limit: Mapped[int | None] = mapped_column(Integer)
    # No poll before this: the rate-limit budget is spent, or polls are spread over the window.
    next_poll_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A backlog left by the page budget: since when, its estimated size, and for how many
    # polls in a row that estimate grew.
    catching_up_since: Mapped[datetime | None]
    backlog: Mapped[int | None] = mapped_column(Integer)
    backlog_growing_polls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RejectedPayload(Base):
    """An item a platform sent that could not be parsed, kept raw so nothing is silently lost."""

    __tablename__ = "rejected_payloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseNote(Base):
    """An internal note on a case; never sent to the customer."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A reply waiting to be sent, or sent, through a post's own channel."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))  # the post being answered
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[ReplyChannel] = mapped_column(vocab(ReplyChannel, "channel"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[CallStatus] = mapped_column(
        vocab(CallStatus, "status"), default=CallStatus.QUEUED
    )
    external_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]


class LoginSession(Base):
    """A signed-in dashboard session; only the token's hash is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginThrottle(Base):
    """Recent failed sign-ins for one client address (`client:...`) or one username
    (`user:...`, whether or not it exists): the delay before the next attempt."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    next_allowed_at: Mapped[datetime]


class LedgerEntry(Base):
    """Money or goods the local order system paid out; one row per idempotency key.

    The unique key is what makes a retried resolution harmless: the second attempt finds the
    first entry instead of paying again.
    """

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    action: Mapped[ResolutionKind] = mapped_column(vocab(ResolutionKind, "action", 30))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    details: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Alerts (issue 6): one dedupe key, one alert, even with two schedulers evaluating at once.
Index("uq_alerts_dedupe_key", Alert.dedupe_key, unique=True)
Index("ix_alerts_status_created", Alert.status, Alert.created_at)


class AlertAttempt(Base):
    """One try at delivering an alert: when, whether it worked and why not (for backoff)."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    ok: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


class ReportRun(Base):
    """A scheduled report written for one period, so no period is written twice."""

    __tablename__ = "report_runs"
    __table_args__ = (UniqueConstraint("kind", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(vocab(ReportKind, "kind"))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    path: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ReportRunStatus] = mapped_column(
        vocab(ReportRunStatus, "status"), default=ReportRunStatus.RUNNING
    )
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImpostorCheck(Base):
    """The impostor score of one third-party reply, with the factors that explain it."""

    __tablename__ = "impostor_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    score: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, index=True)
    factors: Mapped[dict[str, Any]]  # factor -> points, adding up to the score
    lures: Mapped[list[Any]]  # readable labels, strongest first
    explanation: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()


class ImpostorReport(Base):
    """A staff member reported an impersonating account to the platform; one row per account."""

    __tablename__ = "impostor_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), unique=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))  # the evidence
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyScan(Base):
    """When the replies under one customer post were last fetched, to bound API spending."""

    __tablename__ = "reply_scans"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    scanned_at: Mapped[datetime] = mapped_column(index=True)
    scans: Mapped[int] = mapped_column(Integer, default=0)
    replies_found: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Submission(Base):
    """One state-changing form submission, by the key the form was drawn with.

    The unique key is what makes a double click, a retry, a second tab or a replayed request
    harmless: the row is written in the same transaction as the action, so a second
    submission with the same key finds the first and does nothing.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    action: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")  # what the submission did
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderCall(Base):
    """A call to an external order system carrying out one resolution (see outbound.py)."""

    __tablename__ = "order_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), unique=True)
    status: Mapped[CallStatus] = mapped_column(
        vocab(CallStatus, "status"), default=CallStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ReplyTemplate(Base):
    """A canned reply the composer offers, kept as data so admins can edit it (see
    monitor/cases/templates.py for the placeholders and the checks a template passes)."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: retired, not offered
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CasePresence(Base):
    """Who has a case open, and who is writing a reply on it: one row per person and case,
    refreshed while their page is open, so two people do not answer the same customer."""

    __tablename__ = "case_presence"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)
    typing_at: Mapped[datetime | None]
