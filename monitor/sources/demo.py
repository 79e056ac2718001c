"""Seeded, realistic demo data: customers, orders, charges and the posts they write.

`generate_demo` is pure (one `random.Random(seed)`, no clock, no database) so a seed always
gives the same world; `monitor.demo.seed.load_demo` writes it to the database (a source never
writes storage) and can run again without duplicating anything.
Every problem a post talks about exists in the orders and charges, so linking a case to its
order and checking a billing claim work on demo data as on real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    "generate_demo",
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
