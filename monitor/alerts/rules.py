"""The alert rules: each reads the database and returns what deserves an alert right now.

A candidate names its *subject* (the case, source or incident the cooldown applies to) and its
*episode* (what makes this occurrence new: a post, an SLA deadline, a failure since the last
success). Subject and episode make the dedupe key, so a rule can run every minute and in two
processes at once and still raise each episode once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from monitor.config import AlertSettings, RuleSettings
from monitor.db.models import (
    Author,
    Case,
    CaseOrderLink,
    ImpostorCheck,
    Order,
    Post,
    Resolution,
    Score,
    SourceState,
    User,
)
from monitor.vocab import OPEN_CASE_STATUSES, ResolutionStatus


@dataclass(frozen=True)
class Candidate:
    rule: str
    subject: str  # case:12, source:x-main, spike:intent:delivery
    episode: str
    title: str
    body: str
    case_id: int | None = None
    urgency: float | None = None


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ") if moment else "never"


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never succeeded"
    minutes = max(int((now - moment).total_seconds() // 60), 0)
    return f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


def _clip(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _recent_posts(rules: RuleSettings, now: datetime) -> Select[Post, Score, Case, Author]:
    since = now - timedelta(minutes=rules.post_lookback_minutes)
    return (
        select(Post, Score, Case, Author)
        .join(Score, Score.post_id == Post.id)
        .join(Case, Case.id == Post.case_id)
        .join(Author, Author.id == Post.author_id)
        .where(
            Post.inbound.is_(True),
            Post.created_at >= since,
            Post.created_at <= now,
            Case.status.in_(OPEN_CASE_STATUSES),
        )
        .order_by(Post.created_at.desc(), Post.id.desc())  # newest first: the freshest news
    )


def _post_body(post: Post, score: Score, author: Author) -> str:
    return (
        f"@{author.handle} ({author.followers:,} followers) on {post.platform} {post.kind}, "
        f"urgency {score.urgency:.0f}, intent {score.intent.replace('_', ' ')}:\n"
        f"{_clip(post.text)}\nWhy: {_clip(score.explanation, 200)}"
    )


def urgency(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    floors = [r.min_urgency for r in settings.routes if r.min_urgency is not None]
    threshold = min([settings.rules.urgency_threshold, *floors])
    query = _recent_posts(settings.rules, now).where(Score.urgency >= threshold)
    return [
        Candidate(
            "urgency",
            f"case:{case.id}",
            f"post:{post.id}",
            f"Urgent post ({score.urgency:.0f}) in case {case.id}",
            _post_body(post, score, author),
            case.id,
            score.urgency,
        )
        for post, score, case, author in session.execute(query)
    ]


def security(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    intents = settings.rules.security_intents
    query = _recent_posts(settings.rules, now).where(
        or_(Score.intent.in_(intents), Case.intent.in_(intents))
    )
    return [
        Candidate(
            "security",
            f"case:{case.id}",
            f"post:{post.id}",
            f"Possible fraud or account-security issue in case {case.id}",
            _post_body(post, score, author),
            case.id,
            score.urgency,
        )
        for post, score, case, author in session.execute(query)
    ]


def high_value(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    query = (
        select(Case.id, Order.id, Order.value, Order.currency)
        .join(CaseOrderLink, CaseOrderLink.case_id == Case.id)
        .join(Order, Order.id == CaseOrderLink.order_id)
        .where(Case.status.in_(OPEN_CASE_STATUSES), Order.value > settings.rules.high_value_amount)
        .order_by(Case.id, Order.id)
    )
    return [
        Candidate(
            "high_value",
            f"case:{case_id}",
            f"order:{order_id}",
            f"High-value order {value:,.2f} {currency} linked to case {case_id}",
            f"Order {order_id} ({value:,.2f} {currency}) is linked to open case {case_id}: "
            "refunds and replacements above the threshold need senior approval.",
            case_id,
        )
        for case_id, order_id, value, currency in session.execute(query)
    ]


def sla(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    rules = settings.rules
    soon = now + timedelta(minutes=rules.sla_warning_minutes)
    oldest = now - timedelta(hours=rules.sla_breach_max_age_hours)
    query = (
        select(Case)
        .where(
            Case.status.in_(OPEN_CASE_STATUSES),
            Case.sla_due_at.is_not(None),
            Case.sla_due_at <= soon,
            Case.sla_due_at > oldest,
        )
        .order_by(Case.id)
    )
    found = []
    for case in session.scalars(query):
        due = case.sla_due_at
        assert due is not None
        minutes = (due - now).total_seconds() / 60
        rule = "sla_breached" if minutes <= 0 else "sla_soon"
        title = (
            f"Case {case.id} breached its SLA {abs(minutes):.0f} min ago"  # never "-0"
            if rule == "sla_breached"
            else f"Case {case.id} breaches its SLA in {minutes:.0f} min"
        )
        body = (
            f"{case.platform} case {case.id} (urgency {case.priority:.0f}, "
            f"{(case.intent or 'other').replace('_', ' ')}) is due {_iso(due)} with no reply."
        )
        found.append(Candidate(rule, f"case:{case.id}", _iso(due), title, body, case.id))
    return found


def sources(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    horizon = now + timedelta(hours=settings.rules.token_expiry_hours)
    found = []
    for state in session.scalars(select(SourceState).order_by(SourceState.name)):
        if not state.healthy:
            failures = state.consecutive_failures or 0
            streak = f"{failures} polls in a row failed; " if failures > 1 else ""
            found.append(
                Candidate(
                    "source_unhealthy",
                    f"source:{state.name}",
                    f"since:{_iso(state.last_success_at)}",
                    f"Source {state.name} ({state.platform}) is failing",
                    f"{streak}last success {_iso(state.last_success_at)} "
                    f"({_ago(state.last_success_at, now)}), last error "
                    f"{_iso(state.last_error_at)}: {_clip(state.last_error or 'unknown', 300)}",
                )
            )
        if state.backlog_growing_polls >= settings.rules.backlog_growing_polls:
            found.append(
                Candidate(
                    "backlog_growing",
                    f"source:{state.name}",
                    f"since:{_iso(state.catching_up_since)}",
                    f"Source {state.name} falls behind: about {state.backlog} posts to catch up",
                    f"The backlog of {state.name} grew for {state.backlog_growing_polls} polls "
                    f"in a row (catching up since {_iso(state.catching_up_since)}): raise its "
                    "max_pages or shorten its interval_seconds.",
                )
            )
        expires = state.token_expires_at
        if expires is not None and expires <= horizon:
            verb = "expired" if expires <= now else "expires"
            found.append(
                Candidate(
                    "token_expiring",
                    f"source:{state.name}",
                    f"expires:{_iso(expires)}",
                    f"Access token of source {state.name} {verb} {_iso(expires)}",
                    f"Renew the {state.platform} token for {state.name} before {_iso(expires)} "
                    "or polling stops.",
                )
            )
    return found


def impostor_replies(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    """A reply flagged as an impostor under an open case's post, checked within the lookback."""
    since = now - timedelta(minutes=settings.rules.post_lookback_minutes)
    query = (
        select(Post, ImpostorCheck, Case, Author)
        .join(ImpostorCheck, ImpostorCheck.post_id == Post.id)
        .join(Case, Case.id == Post.case_id)
        .join(Author, Author.id == Post.author_id)
        .where(
            ImpostorCheck.flagged.is_(True),
            ImpostorCheck.checked_at >= since,
            Case.status.in_(OPEN_CASE_STATUSES),
        )
        .order_by(ImpostorCheck.checked_at.desc(), Post.id.desc())
    )
    return [
        Candidate(
            "impostor_reply",
            f"case:{case.id}",
            f"post:{post.id}",
            f"Possible impostor reply in case {case.id}",
            f"@{_clip(author.handle, 60)} replied on {post.platform} to a customer in case "
            f"{case.id} (impostor score {check.score:.0f}): "
            f"{', '.join(check.lures or []) or 'see the case'}.\n{_clip(post.text)}\n"
            "Warn the customer and report the account from the case page.",
            case.id,
        )
        for post, check, case, author in session.execute(query)
    ]


def approvals_waiting(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    """A resolution that has waited for approval longer than `approval_waiting_minutes`
    (off unless set), once per request."""
    minutes = settings.rules.approval_waiting_minutes
    if minutes is None:
        return []
    query = (
        select(Resolution, User.username)
        .join(User, User.id == Resolution.requested_by)
        .where(
            Resolution.status == ResolutionStatus.PENDING_APPROVAL,
            Resolution.requested_at <= now - timedelta(minutes=minutes),
        )
        .order_by(Resolution.requested_at, Resolution.id)
    )
    found = []
    for resolution, requester in session.execute(query):
        waited = int((now - resolution.requested_at).total_seconds() // 60)
        what = resolution.action.replace("_", " ")
        amount = f" of {resolution.amount:,.2f} {resolution.currency}" if resolution.amount else ""
        found.append(
            Candidate(
                "approval_waiting",
                f"resolution:{resolution.id}",
                "waiting",
                f"A {what}{amount} on case {resolution.case_id} waits for approval ({waited} min)",
                f"{_clip(requester, 80)} asked for a {what}{amount} on case {resolution.case_id} "
                f"at {_iso(resolution.requested_at)}; nobody has decided it for {waited} min. "
                "Approve or reject it on the Approvals page.",
                resolution.case_id,
            )
        )
    return found


RuleFunction = Callable[[Session, AlertSettings, datetime], list[Candidate]]

# rule names each function can produce; a function runs when any of them is enabled.
RULE_FUNCTIONS: tuple[tuple[tuple[str, ...], RuleFunction], ...] = (
    (("urgency",), urgency),
    (("security",), security),
    (("high_value",), high_value),
    (("sla_soon", "sla_breached"), sla),
    (("source_unhealthy", "backlog_growing", "token_expiring"), sources),
    (("impostor_reply",), impostor_replies),
    (("approval_waiting",), approvals_waiting),
)
