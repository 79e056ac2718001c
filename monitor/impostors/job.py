"""The impostor job: find third-party replies under customers' public posts and check them.

Two steps, each safe to run twice and in two processes (one holds the lock, the other skips):

1. *Adopt*: a reply by someone else to a customer's post that a regular poll collected (on X
   an impostor's reply mentions the brand too, so it arrives as a mention; Facebook's comment
   stream includes replies) is checked; a flagged one becomes a third-party post of the
   customer's case instead of opening a case of its own.
2. *Scan*: within a budget of API calls, fetch the replies under public posts of urgent or
   recent open cases (X: recent search by conversation; Graph: replies to the comment),
   store the new ones as third-party posts and check them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from monitor.cases.sla import SlaPolicy
from monitor.config import BrandSettings, ImpostorSettings
from monitor.db.engine import transaction
from monitor.db.models import Case, ImpostorCheck, Post, ReplyScan, Score, SourceState
from monitor.db.types import utcnow
from monitor.impostors.score import BrandProfile, score_reply
from monitor.impostors.service import check_posts, reply_facts, store_third_party
from monitor.ingest import store_posts
from monitor.locks import try_lock
from monitor.sources.base import IncomingPost, Source, SourceError
from monitor.sources.facebook import FacebookSource
from monitor.sources.instagram import InstagramSource
from monitor.sources.replies import (
    ReplyPage,
    facebook_comment_replies,
    instagram_comment_replies,
    x_conversation_replies,
)
from monitor.sources.x import XSource
from monitor.vocab import OPEN_CASE_STATUSES, CaseStatus, PostKind

log = logging.getLogger(__name__)
ADOPT_LOOKBACK = timedelta(days=7)
PUBLIC_KINDS = ("mention", "comment")


@dataclass
class ImpostorRun:
    adopted: int = 0
    examined: int = 0
    fetched: int = 0  # API calls made
    stored: int = 0
    flagged: int = 0
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"impostor checks: {self.examined} replies examined, {self.flagged} flagged "
            f"({self.adopted} moved onto the customer's case); {self.fetched} API calls, "
            f"{self.stored} new replies stored"
        )
        return text + "".join(f"; {reason}" for reason in self.skipped)


def run_impostor_checks(
    engine: Engine,
    factory: sessionmaker[Session],
    brand: BrandSettings,
    settings: ImpostorSettings,
    sources: Mapping[str, Source],
    *,
    now: datetime | None = None,
    sla: SlaPolicy | None = None,
) -> ImpostorRun:
    run = ImpostorRun()
    if not settings.enabled:
        run.skipped.append("impostors.enabled is false")
        return run
    if not brand.configured:
        run.skipped.append("set [brand] name and accounts in the config to check replies")
        return run
    now = now or utcnow()
    profile = BrandProfile.from_settings(brand)
    with try_lock(engine, "impostor-checks") as locked:
        if not locked:
            run.skipped.append("another process is running the impostor checks")
            return run
        with transaction(factory) as session:
            adopt_replies(session, profile, settings, run, now)
        if settings.fetch.enabled:
            scan_replies(factory, profile, settings, sources, run, now, sla)
    return run


def adopt_replies(
    session: Session,
    profile: BrandProfile,
    settings: ImpostorSettings,
    run: ImpostorRun,
    now: datetime,
) -> None:
    """Check replies to another customer's post; move flagged ones onto the parent's case."""
    parent = aliased(Post)
    rows = session.execute(
        select(Post, parent)
        .join(
            parent,
            (parent.platform == Post.platform) & (parent.external_id == Post.in_reply_to_id),
        )
        .outerjoin(ImpostorCheck, ImpostorCheck.post_id == Post.id)
        .where(
            Post.inbound.is_(True),
            Post.third_party.is_(False),
            Post.in_reply_to_id.is_not(None),
            Post.created_at >= now - ADOPT_LOOKBACK,
            parent.inbound.is_(True),
            parent.author_id != Post.author_id,
            parent.case_id.is_not(None),
            ImpostorCheck.id.is_(None),
        )
        .order_by(Post.id)
        .limit(1000)
    ).all()
    for post, parent_post in rows:
        result = score_reply(reply_facts(post, post.author), profile, settings)
        run.examined += 1
        session.add(
            ImpostorCheck(
                post_id=post.id, score=result.score, flagged=result.flagged,
                factors=result.factors, lures=list(result.lures),
                explanation=result.explanation, checked_at=now,
            )
        )  # fmt: skip
        if not result.flagged:
            continue  # another customer joining in: their post stays theirs
        run.flagged += 1
        run.adopted += 1
        own_case = post.case_id
        post.case_id = parent_post.case_id
        post.inbound = False
        post.third_party = True
        post.kind = PostKind.REPLY
        # Scored as a customer's post before it was recognised: that urgency is not the
        # customer's, and must not rank or describe their case in the queue.
        session.execute(delete(Score).where(Score.post_id == post.id))
        session.flush()
        if own_case is not None and own_case != parent_post.case_id:
            _close_if_empty(session, own_case)


def _close_if_empty(session: Session, case_id: int) -> None:
    """The impostor's reply had opened a case of its own: nothing is left in it to work."""
    left = session.scalar(select(Post.id).where(Post.case_id == case_id).limit(1))
    if left is None:
        session.execute(update(Case).where(Case.id == case_id).values(status=CaseStatus.CLOSED))


Fetcher = Callable[[Post], ReplyPage]


def _fetcher(source: Source, settings: ImpostorSettings) -> Fetcher | None:
    limit = settings.fetch.replies_per_post
    if isinstance(source, XSource):
        return lambda post: x_conversation_replies(
            source, post.conversation_id or post.external_id, max_results=limit
        )
    if isinstance(source, InstagramSource):
        return lambda post: instagram_comment_replies(
            source, post.external_id, post.conversation_id, limit=limit
        )
    if isinstance(source, FacebookSource):
        return lambda post: facebook_comment_replies(
            source, post.external_id, post.conversation_id, limit=limit
        )
    return None


def due_posts(
    session: Session, settings: ImpostorSettings, source: str, now: datetime, limit: int
) -> list[Post]:
    """Public customer posts of open cases worth a look: urgent enough, recent enough, and
    not fetched within `rescan_minutes`; the most urgent cases first."""
    fetch = settings.fetch
    query = (
        select(Post)
        .join(Case, Case.id == Post.case_id)
        .outerjoin(ReplyScan, ReplyScan.post_id == Post.id)
        .where(
            Post.source == source,
            Post.inbound.is_(True),
            Post.third_party.is_(False),
            Post.kind.in_(PUBLIC_KINDS),
            Post.created_at >= now - timedelta(hours=fetch.max_age_hours),
            Case.status.in_(OPEN_CASE_STATUSES),
            Case.priority >= fetch.min_urgency,
            or_(
                ReplyScan.post_id.is_(None),
                ReplyScan.scanned_at < now - timedelta(minutes=fetch.rescan_minutes),
            ),
        )
        .order_by(Case.priority.desc(), Post.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def scan_replies(
    factory: sessionmaker[Session],
    profile: BrandProfile,
    settings: ImpostorSettings,
    sources: Mapping[str, Source],
    run: ImpostorRun,
    now: datetime,
    sla: SlaPolicy | None = None,
) -> None:
    for source in sources.values():
        fetcher = _fetcher(source, settings)
        if fetcher is None:
            continue
        budget = (
            settings.fetch.x_searches_per_run
            if isinstance(source, XSource)
            else settings.fetch.graph_calls_per_run
        )
        state_name = f"{source.name}#replies"
        with transaction(factory) as session:
            state = session.get(SourceState, state_name)
            reset = state.rate_limit_reset_at if state else None
            if state and reset and reset > now and state.rate_limit_remaining == 0:
                run.skipped.append(f"{state_name} rate-limited until {reset:%H:%M} UTC")
                continue
            posts = due_posts(session, settings, source.name, now, budget)
            session.expunge_all()
        for post in posts:
            try:
                page = fetcher(post)
            except SourceError as error:
                _record(factory, source, post, None, error, now)
                if error.retry_at or error.permanent:
                    break  # rate-limited or misconfigured: stop spending on this source
                continue
            run.fetched += 1
            stored, flagged = _record(
                factory, source, post, page, None, now, profile, settings, sla
            )
            run.stored += stored
            run.flagged += flagged
            run.examined += stored
            if page.rate_limit_remaining is not None and page.rate_limit_remaining <= 1:
                break  # leave the last request of the window to the poller


def _record(
    factory: sessionmaker[Session],
    source: Source,
    post: Post,
    page: ReplyPage | None,
    error: SourceError | None,
    now: datetime,
    profile: BrandProfile | None = None,
    settings: ImpostorSettings | None = None,
    sla: SlaPolicy | None = None,
) -> tuple[int, int]:
    stored = flagged = 0
    with transaction(factory) as session:
        if page is not None and profile is not None and settings is not None:
            customer_id = session.scalar(select(Post.author_id).where(Post.id == post.id))
            ours, theirs = _split(session, page.posts, profile, customer_id)
            # A stranger's reply that is not flagged is stored as the polls would store it
            # (another customer may be complaining too); flagged ones join this case.
            flagged_posts = [
                item for item in theirs
                if score_reply(reply_facts(item, item.author), profile, settings).flagged
            ]  # fmt: skip
            others = [item for item in theirs if item not in flagged_posts]
            store_posts(session, ours + others, sla or SlaPolicy())
            new_ids = (
                store_third_party(session, post.case_id, flagged_posts) if post.case_id else []
            )
            checks = check_posts(session, new_ids, profile, settings)
            stored, flagged = len(new_ids), sum(check.flagged for check in checks)
        scan = session.get(ReplyScan, post.id) or ReplyScan(
            post_id=post.id, scans=0, replies_found=0
        )
        scan.scanned_at = now
        scan.scans += 1
        scan.replies_found += stored
        scan.last_error = str(error)[:1000] if error else None
        session.add(scan)
        _update_state(session, source, page, error, now)
    return stored, flagged


def _split(
    session: Session, posts: list[IncomingPost], profile: BrandProfile, customer_id: int | None
) -> tuple[list[IncomingPost], list[IncomingPost]]:
    """Ours and the customer's own posts thread as usual; everyone else is a third party."""
    from monitor.db.models import Author

    customer = session.get(Author, customer_id) if customer_id else None
    ours, theirs = [], []
    for item in posts:
        is_customer = customer is not None and (item.author.platform, item.author.external_id) == (
            customer.platform,
            customer.external_id,
        )
        if not item.inbound or is_customer or profile.is_official(item.author.handle):
            ours.append(item)
        else:
            theirs.append(item)
    return ours, theirs


def _update_state(
    session: Session,
    source: Source,
    page: ReplyPage | None,
    error: SourceError | None,
    now: datetime,
) -> None:
    name = f"{source.name}#replies"
    state = session.get(SourceState, name) or SourceState(name=name, platform=source.platform)
    session.add(state)
    if error is None:
        state.healthy, state.last_success_at, state.items_last_poll = (
            True,
            now,
            len(page.posts) if page else 0,
        )
        if page is not None and page.rate_limit_remaining is not None:
            state.rate_limit_remaining = page.rate_limit_remaining
            state.rate_limit_reset_at = page.rate_limit_reset_at
        return
    state.last_error, state.last_error_at = str(error)[:2000], now
    if error.retry_at is not None:
        state.rate_limit_remaining, state.rate_limit_reset_at = 0, error.retry_at
    else:
        state.healthy = False
