"""Seeding the database with the demo world: idempotent, and true to the generated data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.db.models import Author, Case, Charge, Customer, Order, Post
from monitor.demo.seed import load_demo
from monitor.sources.demo import generate_demo

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_load_twice_adds_nothing(session: Session) -> None:
    def counts() -> list[int]:
        models = (Customer, Order, Charge, Post, Author, Case)
        return [session.scalar(select(func.count()).select_from(m)) or 0 for m in models]

    first = load_demo(session, seed=3, customers=25, posts=150, days=4, now=NOW)
    session.commit()
    before = counts()
    second = load_demo(session, seed=3, customers=25, posts=150, days=4, now=NOW)
    session.commit()
    # 150 customer and brand posts, plus three strangers' replies (two impostors, a bystander)
    assert first.customers_added == 25 and first.posts_stored == 153
    assert first.orders_added > 25 and first.charges_added > first.orders_added
    assert (second.customers_added, second.orders_added, second.charges_added) == (0, 0, 0)
    assert (second.posts_stored, second.posts_already_there, second.authors_linked) == (0, 153, 0)
    assert counts() == before
    assert "25 customers" in str(first)


def test_loaded_world_matches_the_generated_one(session: Session) -> None:
    data = generate_demo(seed=11, customers=30, posts=200, days=5, now=NOW)
    load_demo(session, seed=11, customers=30, posts=200, days=5, now=NOW)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Order)) == len(data.orders)
    assert session.scalar(select(func.count()).select_from(Charge)) == len(data.charges)
    after_cancel = session.scalar(
        select(func.count())
        .select_from(Charge)
        .join(Order, Charge.order_id == Order.id)
        .where(Order.kind == "subscription", Charge.charged_at > Order.cancelled_at)
    )
    assert after_cancel and after_cancel >= 1
    doubled = session.execute(
        select(Charge.order_id).group_by(Charge.order_id).having(func.count() >= 2)
    ).all()
    assert doubled
    assert (session.scalar(select(func.max(Order.value))) or 0) > 500
    x_post = data.posts[0] if data.posts[0].platform == "x" else None
    x_post = x_post or next(p for p in data.posts if p.platform == "x")
    stored = session.scalars(select(Post).where(Post.external_id == x_post.external_id)).one()
    assert stored.text == x_post.text and stored.created_at == x_post.created_at
    assert session.scalar(
        select(func.count()).select_from(Case).where(Case.first_response_at.is_not(None))
    )


def test_authors_are_linked_to_their_customers(session: Session) -> None:
    data = generate_demo(seed=5, customers=30, posts=200, days=5, now=NOW)
    summary = load_demo(session, seed=5, customers=30, posts=200, days=5, now=NOW)
    session.commit()
    emails = {c.number: c.email for c in data.customers}
    assert summary.authors_linked == len(data.links) > 10
    for link in data.links:
        author = session.scalars(
            select(Author).where(Author.platform == link.platform, Author.handle == link.handle)
        ).one()
        assert author.customer is not None and author.customer.email == emails[link.customer]
    linked = {(link.platform, link.handle) for link in data.links}
    strangers = [a for a in session.scalars(select(Author)) if (a.platform, a.handle) not in linked]
    assert strangers and all(a.customer_id is None for a in strangers)
