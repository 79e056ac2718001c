"""Every fixed vocabulary of the monitor: one `StrEnum` per set of allowed values.

They live together, in a module that imports nothing else of the monitor, because every layer
needs them: the storage models constrain their columns with them, the config schemas validate
against them, the services compare with them and the pages offer them. A value that is not
listed here cannot be stored (each column has a CHECK constraint, see `monitor.db.models`), so
this file is the one place to read, and to change, which states exist.

Members are strings (`Role.AGENT == "agent"`), so they serialise, compare and display as
their value; the order of the members is the order shown to people.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A staff member's role, least to most powerful."""

    ANALYST = "analyst"  # reads and exports, never changes a case
    AGENT = "agent"
    SENIOR = "senior"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    """What a role may do; `monitor.auth.permissions` says which roles hold each."""

    QUEUE_VIEW = "queue.view"
    CASE_WORK = "case.work"  # claim, note, link an order, reply
    CASE_ASSIGN = "case.assign"  # give a case to someone else
    CUSTOMER_LINK = "customer.link"  # say which customer a social author is
    RESOLUTION_REQUEST = "resolution.request"
    RESOLUTION_APPROVE = "resolution.approve"
    REPORTS_EXPORT = "reports.export"
    CONNECTORS_VIEW = "connectors.view"
    ALERTS_MANAGE = "alerts.manage"
    USERS_MANAGE = "users.manage"
    TEMPLATES_MANAGE = "templates.manage"  # the brand's canned replies
    AUDIT_VIEW = "audit.view"


class Platform(StrEnum):
    """Where a post, its author and its case live (replay and demo sources post as these)."""

    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class PostKind(StrEnum):
    MENTION = "mention"
    COMMENT = "comment"
    DM = "dm"
    REPLY = "reply"  # written by the brand


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # on the customer: we answered last
    RESOLVED = "resolved"
    CLOSED = "closed"


# Cases the team still has to work (the queue, SLA alerts, threading of new posts).
OPEN_CASE_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING)
DONE_CASE_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


class ResolutionKind(StrEnum):
    """What a resolution does for the customer; clearance limits are set per kind."""

    REFUND = "refund"
    REPLACEMENT = "replacement"
    GOODWILL_CREDIT = "goodwill_credit"
    CALLBACK = "callback"
    ESCALATION = "escalation"
    SECURITY_LOCK = "security_lock"


class ResolutionStatus(StrEnum):
    """pending_approval -> approved -> executed, or pending_approval -> rejected.

    A request within the requester's clearance starts approved. `approved` lasts until the
    order system confirms (at once for the in-database ledger).
    """

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    EXECUTED = "executed"
    REJECTED = "rejected"


class SlaOutcome(StrEnum):
    """Whether a case's first reply came in time (`monitor.cases.sla.SlaPolicy.outcome`)."""

    MET = "met"
    MISSED = "missed"  # answered late, or not answered and already past due
    OPEN = "open"  # not answered yet, still in time


class CallStatus(StrEnum):
    """A reply or an order-system call on its way out (see `monitor.outbound`).

    queued -> sending -> sent; or failed (final), or unknown (the process stopped mid-call:
    check with the platform or order system before retrying).
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


class ReplyChannel(StrEnum):
    PUBLIC = "public"
    DM = "dm"


class AlertStatus(StrEnum):
    """pending -> sending -> sent, or failed (retried until the attempts run out);
    suppressed: recorded during a quiet period and never sent."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class ReportKind(StrEnum):
    """A scheduled report's period."""

    DAILY = "daily"
    WEEKLY = "weekly"


class ReportRunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # retried by the next scheduled run


class FeedbackKind(StrEnum):
    """What an agent corrected about the model on a case."""

    INTENT = "intent"
    URGENCY = "urgency"
