"""Seeded, realistic demo data: customers, orders, charges and the posts they write.

`generate_demo` is pure (one `random.Random(seed)`, no clock, no database) so a seed always
gives the same world; `load_demo` writes it and can run again without duplicating anything.
Every problem a post talks about exists in the orders and charges, so linking a case to its
order and checking a billing claim work on demo data as on real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.cases.threads import SlaPolicy
from monitor.db.models import Author, Charge, Customer, Order
from monitor.ingest import store_posts
from monitor.sources.base import IncomingPost
from monitor.sources.demo_impostors import impostor_replies
from monitor.sources.demo_posts import PostBuilder
from monitor.sources.demo_world import DemoCharge, DemoCustomer, DemoOrder, World

# situation -> topics (template keys) it is told through
SITUATIONS: dict[str, tuple[str, ...]] = {
    "missing_delivery": ("delivered_missing", "failed_attempts", "late", "lost"),
    "refund_denied": ("refund_denied",),
    "account_security": ("hacked", "phishing", "scam_line"),
    "billing_after_cancel": ("billing_after_cancel",),
    "double_charge": ("double_charge",),
    "cancel_order": ("cancel_order",),
    "product_question": ("product_question",),
    "praise": ("praise",),
    "spam": ("spam",),
}
WEIGHTS = (22, 10, 9, 6, 5, 8, 14, 10, 12)  # in SITUATIONS order
SOURCE = "demo"
__all__ = [
    "SITUATIONS",
    "AuthorLink",
    "DemoCharge",
    "DemoCustomer",
    "DemoData",
    "DemoOrder",
    "DemoSummary",
    "generate_demo",
    "load_demo",
]


@dataclass(frozen=True)
class AuthorLink:
    platform: str
    handle: str
    customer: int  # DemoCustomer.number


@dataclass
class DemoData:
    customers: list[DemoCustomer]
    orders: list[DemoOrder]
    charges: list[DemoCharge]
    links: list[AuthorLink]
    posts: list[IncomingPost]
    # Strangers' replies under customers' tweets (mostly impostors), stored with the posts.
    third_party: list[IncomingPost] = field(default_factory=list)


@dataclass
class DemoSummary:
    customers_added: int = 0
    orders_added: int = 0
    charges_added: int = 0
    posts_stored: int = 0
    posts_already_there: int = 0
    authors_linked: int = 0

    def __str__(self) -> str:
        return (
            f"{self.customers_added} customers, {self.orders_added} orders, "
            f"{self.charges_added} charges added; {self.posts_stored} posts stored "
            f"({self.posts_already_there} already there); {self.authors_linked} authors "
            "linked to customers"
        )


def generate_demo(*, seed: int, customers: int, posts: int, days: int, now: datetime) -> DemoData:
    """The same seed and sizes give the same customers, orders and post texts and ids.

    `now` only anchors the timestamps (posts fall in the `days` before it); ids do not depend
    on it, so a demo reloaded later is recognised as the same posts.
    """
    if customers < 1 or posts < 0 or days < 1:
        raise ValueError("demo needs customers >= 1, posts >= 0 and days >= 1")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    world = World(random.Random(seed), now.replace(microsecond=0))
    people = [world.customer(n) for n in range(1, customers + 1)]
    builder = PostBuilder(world.rng, world.now, days, people)
    situations = list(SITUATIONS)
    i = 0
    while builder.count < posts:
        forced = FORCED[i] if i < len(FORCED) else {}
        situation = forced.get("situation") or world.rng.choices(situations, WEIGHTS)[0]
        topic = forced.get("topic") or world.rng.choice(SITUATIONS[situation])
        thread = builder.plan(i, situation, topic, forced)
        number = thread.customer.number if thread.customer else None
        order = world.order_for(topic, number, thread.start, forced.get("high_value"))
        builder.write(thread, order, world.charges)
        i += 1
    drafts = builder.finish(posts, SOURCE)
    links = sorted(
        {
            AuthorLink(d.platform, d.author.handle, d.customer)
            for d in drafts
            if d.customer is not None and d.inbound
        },
        key=lambda link: (link.customer, link.platform),
    )
    posts_out = [d.post for d in drafts if d.post is not None]
    return DemoData(
        people, world.orders, world.charges, links, posts_out, impostor_replies(posts_out, seed)
    )


# The first threads are fixed so even a small demo shows every situation, channel and feature.
FORCED: list[dict[str, Any]] = [
    {"situation": "missing_delivery", "topic": "failed_attempts", "channel": 0, "tone": "furious",
     "inbound": 3, "human": True, "high_value": True, "reach": True},
    {"situation": "refund_denied", "channel": 2, "reply": True},
    {"situation": "account_security", "topic": "hacked", "channel": 1, "high_value": True},
    {"situation": "billing_after_cancel", "channel": 3, "reply": True, "inbound": 2},
    {"situation": "double_charge", "channel": 0, "tone": "caps"},
    {"situation": "cancel_order", "channel": 2},
    {"situation": "product_question", "channel": 0, "reply": True},
    {"situation": "praise", "channel": 0},
    {"situation": "spam", "channel": 2},
    {"situation": "missing_delivery", "topic": "delivered_missing", "lang": "es", "channel": 2},
    {"situation": "account_security", "topic": "scam_line", "channel": 0, "human": True},
    {"situation": "account_security", "topic": "phishing", "channel": 3},
    {"situation": "missing_delivery", "topic": "delivered_missing", "channel": 1,
     "high_value": True, "tone": "sarcastic", "reply": True},
    {"situation": "missing_delivery", "topic": "lost", "channel": 0, "high_value": True},
    {"situation": "missing_delivery", "topic": "late", "channel": 3, "lang": "ja"},
]  # fmt: skip


def load_demo(
    session: Session,
    *,
    seed: int,
    customers: int,
    posts: int,
    days: int,
    now: datetime,
    sla: SlaPolicy | None = None,
) -> DemoSummary:
    """Write the demo world. The caller commits (`with factory() as s, s.begin(): ...`).

    Customers are matched by email and orders by id, so a second run adds nothing; new customer
    rows take ids from the database, never fixed ones that could clash with real customers.
    """
    data = generate_demo(seed=seed, customers=customers, posts=posts, days=days, now=now)
    summary = DemoSummary()
    by_number = _write_customers(session, data.customers, summary)
    _write_orders(session, data, by_number, summary)
    result = store_posts(session, [*data.posts, *data.third_party], sla)
    summary.posts_stored, summary.posts_already_there = len(result.new_post_ids), result.duplicates
    for link in data.links:
        linked = session.execute(
            update(Author)
            .where(Author.platform == link.platform, Author.handle == link.handle)
            .where(Author.customer_id.is_(None))
            .values(customer_id=by_number[link.customer])
        )
        summary.authors_linked += linked.rowcount  # type: ignore[attr-defined]
    session.flush()
    return summary


def _write_customers(
    session: Session, people: list[DemoCustomer], summary: DemoSummary
) -> dict[int, int]:
    """Insert the customers not there yet; return demo number -> database id."""
    ids: dict[str, int] = {}
    for chunk in _chunks([c.email for c in people]):
        rows = session.execute(select(Customer.email, Customer.id).where(Customer.email.in_(chunk)))
        ids.update((email, id_) for email, id_ in rows if email)
    fresh = {
        c.email: Customer(
            name=c.name,
            email=c.email,
            phone=c.phone,
            x_handle=c.x_handle,
            facebook_id=c.facebook_id,
            created_at=c.created_at,
        )
        for c in people
        if c.email not in ids
    }
    session.add_all(fresh.values())
    session.flush()
    ids.update({email: row.id for email, row in fresh.items()})
    summary.customers_added = len(fresh)
    return {c.number: ids[c.email] for c in people}


def _write_orders(
    session: Session, data: DemoData, by_number: dict[int, int], summary: DemoSummary
) -> None:
    """Insert orders not there yet, and the charges of those orders only."""
    known: set[str] = set()
    for chunk in _chunks([o.id for o in data.orders]):
        known.update(session.scalars(select(Order.id).where(Order.id.in_(chunk))))
    new = [o for o in data.orders if o.id not in known]
    for o in new:
        fields = {k: getattr(o, k) for k in ORDER_FIELDS}
        session.add(Order(customer_id=by_number[o.customer], **fields))
    session.flush()  # orders before their charges (foreign key)
    added = {o.id for o in new}
    charges = [
        Charge(
            order_id=c.order_id,
            amount=c.amount,
            currency=c.currency,
            charged_at=c.charged_at,
            description=c.description,
        )
        for c in data.charges
        if c.order_id in added
    ]
    session.add_all(charges)
    session.flush()
    summary.orders_added, summary.charges_added = len(new), len(charges)


ORDER_FIELDS = (
    "id kind items value currency status ordered_at shipped_at delivered_at cancelled_at "
    "carrier tracking_number"
).split()


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
