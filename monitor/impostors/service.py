"""Third-party replies in the database: store them on the case, score them, report accounts.

A reply under a customer's public post that is neither the customer's nor ours is stored as
a post of the case with `third_party = True` and `inbound = False`: it never opens a case of
its own, is never scored for urgency, and is never the post a reply answers. Its impostor
check is stored beside it, with the factors that explain the score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.cases.replies import queue_reply
from monitor.config import ImpostorSettings
from monitor.db.dialect import is_postgres
from monitor.db.models import Author, Case, ImpostorCheck, ImpostorReport, OutboxMessage, Post
from monitor.db.types import utcnow
from monitor.db.upsert import insert_ignoring_duplicates
from monitor.errors import UserFacingError
from monitor.impostors.score import BrandProfile, ReplyFacts, score_reply
from monitor.ingest import post_rows, upsert_authors
from monitor.sources.base import AuthorInfo, IncomingPost
from monitor.sources.values import parse_time
from monitor.vocab import Permission, ReplyChannel


def store_third_party(session: Session, case_id: int, replies: Sequence[IncomingPost]) -> list[int]:
    """Store replies as third-party posts of `case_id`; returns the ids of the new ones."""
    unique = list({(p.platform, p.external_id): p for p in replies}.values())
    if not unique:
        return []
    author_ids = upsert_authors(session, [p.author for p in unique])
    overrides = {"kind": "reply", "case_id": case_id, "inbound": False, "third_party": True}
    rows = [row | overrides for row in post_rows(unique, author_ids, utcnow())]
    table = cast(Table, Post.__table__)
    inserted = insert_ignoring_duplicates(session, table, rows, ["platform", "external_id"])
    return sorted(row[0] for row in inserted)


def check_posts(
    session: Session, post_ids: Sequence[int], brand: BrandProfile, settings: ImpostorSettings
) -> list[ImpostorCheck]:
    """Score third-party posts that have no check yet; safe to run twice (unique post id)."""
    if not post_ids:
        return []
    rows = session.execute(
        select(Post, Author)
        .join(Author, Author.id == Post.author_id)
        .outerjoin(ImpostorCheck, ImpostorCheck.post_id == Post.id)
        .where(Post.id.in_(post_ids), Post.third_party.is_(True), ImpostorCheck.id.is_(None))
    ).all()
    values = []
    for post, author in rows:
        result = score_reply(reply_facts(post, author), brand, settings)
        values.append(
            {
                "post_id": post.id,
                "score": result.score,
                "flagged": result.flagged,
                "factors": result.factors,
                "lures": list(result.lures),
                "explanation": result.explanation,
                "checked_at": utcnow(),
            }
        )
    table = cast(Table, ImpostorCheck.__table__)
    inserted = insert_ignoring_duplicates(session, table, values, ["post_id"])
    ids = [row[0] for row in inserted]
    return list(session.scalars(select(ImpostorCheck).where(ImpostorCheck.id.in_(ids))))


def reply_facts(post: Post | IncomingPost, author: Author | AuthorInfo) -> ReplyFacts:
    """What the platform told us about the reply: expanded links and account details are
    kept in the post's raw payload under "impostor" by the reply fetchers."""
    extra = post.raw.get("impostor") if isinstance(post.raw, dict) else None
    extra = extra if isinstance(extra, dict) else {}
    urls = extra.get("urls")
    return ReplyFacts(
        handle=author.handle,
        text=post.text,
        display_name=author.display_name,
        urls=tuple(u for u in urls if isinstance(u, str)) if isinstance(urls, list) else (),
        followers=author.followers if extra.get("followers_known") else None,
        verified=author.verified,
        account_created_at=parse_time(extra.get("account_created_at")),
        posted_at=post.created_at,
    )


@dataclass(frozen=True)
class ImpostorReply:
    """A flagged reply on a case, ready for display (all text is untrusted)."""

    post_id: int
    author_id: int
    platform: str
    handle: str
    display_name: str | None
    text: str
    at: datetime
    score: float
    lures: tuple[str, ...]
    factors: dict[str, float]
    explanation: str
    reported: bool

    @property
    def banner(self) -> str:
        """`Possible impostor reply from @AmazonHe1p: phone number, look-alike name`."""
        return f"Possible impostor reply from @{self.handle}: {', '.join(self.lures[:4])}"


def case_impostors(session: Session, case_id: int) -> list[ImpostorReply]:
    rows = session.execute(
        select(Post, Author, ImpostorCheck, ImpostorReport.id)
        .join(Author, Author.id == Post.author_id)
        .join(ImpostorCheck, ImpostorCheck.post_id == Post.id)
        .outerjoin(ImpostorReport, ImpostorReport.author_id == Author.id)
        .where(Post.case_id == case_id, ImpostorCheck.flagged.is_(True))
        .order_by(ImpostorCheck.score.desc(), Post.created_at)
    ).all()
    return [
        ImpostorReply(
            post.id,
            author.id,
            post.platform,
            author.handle,
            author.display_name,
            post.text,
            post.created_at,
            check.score,
            tuple(check.lures or ()),
            {k: float(v) for k, v in (check.factors or {}).items()},
            check.explanation,
            report_id is not None,
        )
        for post, author, check, report_id in rows
    ]


@dataclass(frozen=True)
class ImpostorAccount:
    """One account seen impersonating the brand, for the Impostors page and its export."""

    author_id: int
    platform: str
    external_id: str
    handle: str
    display_name: str | None
    followers: int
    replies: int
    top_score: float
    first_seen: datetime
    last_seen: datetime
    case_ids: tuple[int, ...]
    lures: tuple[str, ...]
    reported_at: datetime | None
    reported_by: str | None


def impostor_accounts(session: Session) -> list[ImpostorAccount]:
    from monitor.db.models import User

    rows = session.execute(
        select(Post, Author, ImpostorCheck)
        .join(Author, Author.id == Post.author_id)
        .join(ImpostorCheck, ImpostorCheck.post_id == Post.id)
        .where(ImpostorCheck.flagged.is_(True))
        .order_by(Post.created_at, Post.id)
    ).all()
    reports = {
        author_id: (at, name)
        for author_id, at, name in session.execute(
            select(ImpostorReport.author_id, ImpostorReport.reported_at, User.username).join(
                User, User.id == ImpostorReport.reported_by
            )
        )
    }
    grouped: dict[int, list[tuple[Post, Author, ImpostorCheck]]] = {}
    for post, author, check in rows:
        grouped.setdefault(author.id, []).append((post, author, check))
    accounts = []
    for author_id, items in grouped.items():
        author = items[0][1]
        lures: dict[str, None] = {}
        for _, _, check in items:
            lures.update(dict.fromkeys(check.lures or ()))
        report = reports.get(author_id)
        accounts.append(
            ImpostorAccount(
                author_id,
                author.platform,
                author.external_id,
                author.handle,
                author.display_name,
                author.followers,
                len(items),
                max(check.score for _, _, check in items),
                items[0][0].created_at,
                items[-1][0].created_at,
                tuple(sorted({p.case_id for p, _, _ in items if p.case_id is not None})),
                tuple(lures),
                report[0] if report else None,
                report[1] if report else None,
            )
        )
    accounts.sort(key=lambda a: a.last_seen, reverse=True)
    return accounts


def report_account(
    session: Session, actor: Actor, author_id: int, *, post_id: int | None = None, note: str = ""
) -> ImpostorReport:
    """Record that the account was reported to the platform; reporting twice changes nothing."""
    require(actor, Permission.CASE_WORK)
    if actor.user_id is None:
        raise UserFacingError("reports must be made by a signed-in user")
    author = session.get(Author, author_id)
    if author is None:
        raise UserFacingError(f"no account {author_id}")
    flagged = session.scalar(
        select(ImpostorCheck.id)
        .join(Post, Post.id == ImpostorCheck.post_id)
        .where(Post.author_id == author_id, ImpostorCheck.flagged.is_(True))
        .limit(1)
    )
    if flagged is None:
        raise UserFacingError(
            f"@{author.handle} has no reply flagged as an impostor: only flagged accounts can be "
            "reported from here"
        )
    table = cast(Table, ImpostorReport.__table__)
    row = {
        "author_id": author_id,
        "post_id": post_id,
        "reported_by": actor.user_id,
        "note": note.strip()[:2000],
        "reported_at": utcnow(),
    }
    inserted = insert_ignoring_duplicates(session, table, [row], ["author_id"])
    report = session.scalars(select(ImpostorReport).where(ImpostorReport.author_id == author_id))
    existing = report.one()
    if inserted:  # the first report is audited; a double click finds it and stops here
        audit.record(
            session, actor, "impostor.report", "author", author_id,
            after={"platform": author.platform, "handle": author.handle,
                   "external_id": author.external_id, "post_id": post_id, "note": row["note"]},
        )  # fmt: skip
    return existing


def safe_handle(handle: str) -> str | None:
    """The handle as it may appear in our public reply, or None: only a plain platform handle
    (letters, digits, `_`) without a phone-number-like run of digits. A display name with
    spaces, links or numbers is never repeated, so we never spread what the impostor wrote."""
    plain = handle.lstrip("@")
    if re.fullmatch(r"[A-Za-z0-9_]{1,30}", plain) and not re.search(r"\d{4,}", plain):
        return plain
    return None


def warning_text(settings: ImpostorSettings, customer_handle: str, impostor_handle: str) -> str:
    customer, impostor = safe_handle(customer_handle), safe_handle(impostor_handle)
    text_ = settings.warning_template.format(
        handle=customer or "", impostor=impostor or "that account"
    )
    text_ = text_.replace("@that account", "that account")
    return text_.removeprefix("@ ").strip()


def send_warning(
    session: Session, actor: Actor, case_id: int, post_id: int, settings: ImpostorSettings
) -> OutboxMessage:
    """Queue the public warning about one flagged reply, once: a second click finds the first."""
    require(actor, Permission.CASE_WORK)
    _lock_case(session, case_id)
    row = session.execute(
        select(Post, Author)
        .join(Author, Author.id == Post.author_id)
        .join(ImpostorCheck, ImpostorCheck.post_id == Post.id)
        .where(Post.id == post_id, Post.case_id == case_id, ImpostorCheck.flagged.is_(True))
    ).first()
    if row is None:
        raise UserFacingError(f"post {post_id} is not a flagged impostor reply in case {case_id}")
    case = session.get(Case, case_id)
    assert case is not None
    customer = session.get(Author, case.author_id)
    assert customer is not None
    message = warning_text(settings, customer.handle, row[1].handle)
    already = session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.text == message)
    ).first()
    if already is not None:
        return already
    # One warning per flagged reply: its submission key is the reply it answers.
    key = f"impostor-warning:{case_id}:{post_id}"
    return queue_reply(session, actor, case_id, message, channel=ReplyChannel.PUBLIC, key=key)


def _lock_case(session: Session, case_id: int) -> None:
    """Serialise warnings per case, so two clicks or two tabs queue one message."""
    if is_postgres(session):
        session.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
    else:
        session.execute(text("UPDATE cases SET id = id WHERE id = :id"), {"id": case_id})
