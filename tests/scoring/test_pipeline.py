"""Stored posts scored by the real model, with the result rolled up into their cases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.models import Case, Post, Score
from monitor.scoring.model import TextModel
from monitor.scoring.pipeline import score_pending
from monitor.settings import Settings
from monitor.sources.demo import load_demo

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_every_inbound_post_is_scored_once_and_cases_take_the_peak(
    sessions: sessionmaker[Session], text_model: TextModel
) -> None:
    with sessions() as session, session.begin():
        load_demo(session, seed=3, customers=12, posts=40, days=2, now=NOW)
    settings = Settings()

    scored = score_pending(sessions, text_model, settings, batch_size=16)
    again = score_pending(sessions, text_model, settings)

    with sessions() as session:
        inbound = session.scalars(select(Post).where(Post.inbound.is_(True))).all()
        scores = session.scalars(select(Score)).all()
        assert scored == len(inbound) == len(scores) and again == 0
        assert {s.model_version for s in scores} == {text_model.version}
        for case in session.scalars(select(Case)).all():
            peak = max((p.score.urgency for p in case.posts if p.score), default=0.0)
            assert case.priority == peak
        for score in scores:
            assert 0 <= score.urgency <= 100 and score.explanation
            assert abs(sum(score.factors.values()) - score.urgency) < 0.2
            assert abs(score.negative + score.neutral + score.positive - 1) < 1e-3


def test_urgent_situations_outrank_praise(session: Session, text_model: TextModel) -> None:
    from monitor.ingest import store_posts
    from monitor.sources.base import AuthorInfo, IncomingPost

    texts = {
        "1": "@ShopNowHelp my account was HACKED and someone ordered a $1,299 laptop. "
        "I need a real person NOW",
        "2": "@ShopNowHelp third time my parcel 112-4455667-1234567 was not delivered, furious",
        "3": "@ShopNowHelp thank you so much, the replacement arrived early! Great service",
    }
    posts = [
        IncomingPost("x", ext, "mention", AuthorInfo("x", f"a{ext}", f"user{ext}"), text, NOW)
        for ext, text in texts.items()
    ]
    store_posts(session, posts)
    session.commit()
    factory = sessionmaker(session.get_bind(), expire_on_commit=False)
    score_pending(factory, text_model, Settings())
    urgency = {
        post.external_id: post.score.urgency
        for post in session.scalars(select(Post)).all()
        if post.score
    }
    assert urgency["1"] > urgency["3"] + 30
    assert urgency["2"] > urgency["3"] + 20
