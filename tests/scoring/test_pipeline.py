"""Stored posts scored by the real model, with the result rolled up into their cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.rollup import score_and_roll_up
from monitor.config import Settings
from monitor.db.models import Case, Post, Score
from monitor.demo.seed import load_demo
from monitor.scoring.model import TextModel

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_every_inbound_post_is_scored_once_and_cases_take_the_peak(
    sessions: sessionmaker[Session], text_model: TextModel
) -> None:
    with sessions() as session, session.begin():
        load_demo(session, seed=3, customers=12, posts=40, days=2, now=NOW)
    settings = Settings()

    scored = score_and_roll_up(sessions, text_model, settings, batch_size=16)
    again = score_and_roll_up(sessions, text_model, settings)

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
    score_and_roll_up(factory, text_model, Settings())
    urgency = {
        post.external_id: post.score.urgency
        for post in session.scalars(select(Post)).all()
        if post.score
    }
    assert urgency["1"] > urgency["3"] + 30
    assert urgency["2"] > urgency["3"] + 20


def test_author_case_and_order_history_reach_the_score(
    sessions: sessionmaker[Session], text_model: TextModel
) -> None:
    """Three contacts in a day, a linked $899 order and rising anger show in the factors,
    also when the conversation is split over several scoring batches."""
    from monitor.db.models import CaseOrderLink, Customer, Order
    from monitor.ingest import store_posts
    from monitor.sources.base import AuthorInfo, IncomingPost

    author = AuthorInfo("x", "5150", "dana", followers=40)
    texts = [
        "@ShopNowHelp hi, when will my order arrive?",
        "@ShopNowHelp still nothing, any news on the delivery?",
        "@ShopNowHelp this is ridiculous, third time asking and you ignore me. Useless!",
    ]
    incoming = [
        IncomingPost("x", f"c{n}", "mention", author, text, NOW + timedelta(hours=n))
        for n, text in enumerate(texts)
    ]
    other = IncomingPost(
        "x", "o1", "mention", AuthorInfo("x", "77", "sam"), "@ShopNowHelp hello", NOW
    )
    with sessions() as session, session.begin():
        store_posts(session, [*incoming, other])
        first = session.scalars(select(Post).where(Post.external_id == "c0")).one()
        assert first.case is not None
        customer = Customer(name="Dana")
        session.add(customer)
        session.flush()
        session.add(
            Order(
                id="112-0000001-0000001", customer_id=customer.id, items=[],
                value=Decimal("899.00"), status="shipped", ordered_at=NOW - timedelta(days=3),
            )
        )  # fmt: skip
        session.flush()
        session.add(CaseOrderLink(case_id=first.case.id, order_id="112-0000001-0000001"))

    score_and_roll_up(sessions, text_model, Settings(), batch_size=2)

    with sessions() as session:
        scores = {
            post.external_id: post.score
            for post in session.scalars(select(Post).where(Post.inbound.is_(True)))
        }
        third = scores["c2"]
        assert third is not None
        second, first = scores["c1"], scores["c0"]
        assert second is not None and first is not None
        # 6 points per earlier contact: one before the second post, two before the third
        assert "repeat_contact" not in first.factors
        assert 0 < second.factors["repeat_contact"] < third.factors["repeat_contact"]
        assert third.factors["high_value"] > 0 and "$899 at stake" in third.explanation
        assert third.factors["waiting"] > 0  # two hours since the unanswered first post
        assert "rising_anger" in third.factors
        assert third.negative > second.negative + 0.2
        lone = scores["o1"]
        assert lone is not None
        assert not {"repeat_contact", "high_value", "rising_anger"} & set(lone.factors)


def test_calm_posts_with_something_at_stake_outrank_a_rant_and_store_topics_and_language(
    session: Session, text_model: TextModel
) -> None:
    """What is at stake, not only how angry: the stored score carries stakes, every topic's
    probability, the topics above threshold and the detected language."""
    from monitor.ingest import store_posts
    from monitor.sources.base import AuthorInfo, IncomingPost

    texts = {
        "insulin": "@ShopNowHelp hi, my insulin order was due today and hasn't arrived. "
        "I have none left, could someone check please?",
        "hacked": "@ShopNowHelp I got a login code I never asked for and now there is an "
        "order on my account for an iPad I didn't buy",
        "rant": "@ShopNowHelp honestly the worst app ever, so slow, whoever designed it "
        "should be embarrassed",
        "spanish": "@ShopNowHelp mi pedido no ha llegado y nadie me responde, es urgente",
    }
    posts = [
        IncomingPost("x", ext, "mention", AuthorInfo("x", f"a{ext}", f"user{ext}"), text, NOW)
        for ext, text in texts.items()
    ]
    store_posts(session, posts)
    session.commit()
    factory = sessionmaker(session.get_bind(), expire_on_commit=False)
    score_and_roll_up(factory, text_model, Settings())
    scores = {p.external_id: p.score for p in session.scalars(select(Post)).all() if p.score}

    insulin, hacked, rant, spanish = (scores[k] for k in ("insulin", "hacked", "rant", "spanish"))
    assert "essential_need" in insulin.factors and "time_pressure" in insulin.factors
    assert "essential or vulnerable need" in insulin.explanation
    assert "account_compromise" in hacked.factors and hacked.intent == "account_security"
    assert insulin.urgency > rant.urgency and hacked.urgency > rant.urgency
    assert "delivery" in insulin.topics.split(";")
    for score in (insulin, hacked, rant):
        assert score.language == "en" and score.language_supported
        assert score.topic_scores is not None and len(score.topic_scores) == 10
        assert abs(sum(score.factors.values()) - score.urgency) < 0.2
    assert spanish.language == "es" and not spanish.language_supported
    assert "language not supported" in spanish.explanation
