from __future__ import annotations

import re
import string
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from monitor.sources import demo_text as T
from monitor.sources.demo import SITUATIONS, DemoData, generate_demo

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
SIZE = {"customers": 40, "posts": 300, "days": 5, "now": NOW}
ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(seed=7, **SIZE)  # type: ignore[arg-type]


def _fingerprint(data: DemoData) -> list[tuple[object, ...]]:
    return [
        (p.platform, p.external_id, p.kind, p.author, p.text, p.created_at, p.in_reply_to_id)
        for p in data.posts
    ]


def _inbound_by_topic(data: DemoData) -> dict[str, list[str]]:
    topics: dict[str, list[str]] = defaultdict(list)
    for post in data.posts:
        if post.inbound and post.raw:
            topics[post.raw["demo"]["topic"]].append(post.text)
    return topics


def test_same_seed_gives_the_same_world(demo: DemoData) -> None:
    again = generate_demo(seed=7, **SIZE)  # type: ignore[arg-type]
    assert _fingerprint(again) == _fingerprint(demo)
    assert again.orders == demo.orders
    assert again.charges == demo.charges
    assert again.customers == demo.customers
    assert again.links == demo.links


def test_another_seed_gives_another_world(demo: DemoData) -> None:
    other = generate_demo(seed=8, **SIZE)  # type: ignore[arg-type]
    assert [p.text for p in other.posts] != [p.text for p in demo.posts]
    assert not {p.external_id for p in other.posts} & {p.external_id for p in demo.posts}
    assert not {o.id for o in other.orders} & {o.id for o in demo.orders}
    assert [c.email for c in other.customers] != [c.email for c in demo.customers]


def test_ids_do_not_depend_on_now(demo: DemoData) -> None:
    later = generate_demo(seed=7, **(SIZE | {"now": NOW + timedelta(days=1)}))  # type: ignore[arg-type]
    assert [p.external_id for p in later.posts] == [p.external_id for p in demo.posts]
    assert later.posts[0].created_at == demo.posts[0].created_at + timedelta(days=1)


def test_sizes_and_time_window(demo: DemoData) -> None:
    assert len(demo.posts) == 300
    assert len(demo.customers) == 40
    times = [p.created_at for p in demo.posts]
    assert all(t.tzinfo is not None and NOW - timedelta(days=5) <= t <= NOW for t in times)
    assert times == sorted(times)
    last_day = sum(t > NOW - timedelta(days=1) for t in times)
    first_day = sum(t < NOW - timedelta(days=4) for t in times)
    assert last_day > 3 * first_day  # recent hours are denser


def test_every_situation_topic_platform_and_kind(demo: DemoData) -> None:
    inbound = [p for p in demo.posts if p.inbound]
    assert {p.raw["demo"]["situation"] for p in inbound if p.raw} == set(SITUATIONS)
    all_topics = {t for topics in SITUATIONS.values() for t in topics}
    assert set(_inbound_by_topic(demo)) == all_topics
    channels = {(p.platform, p.kind, p.inbound) for p in demo.posts}
    assert channels == {
        ("x", "mention", True),
        ("x", "dm", True),
        ("facebook", "comment", True),
        ("facebook", "dm", True),
        ("instagram", "comment", True),
        ("instagram", "dm", True),
        ("x", "reply", False),
        ("facebook", "reply", False),
        ("instagram", "reply", False),
    }


def test_ids_look_like_the_platforms_and_are_unique(demo: DemoData) -> None:
    ids = [p.external_id for p in demo.posts]
    assert len(set(ids)) == len(ids)
    for post in demo.posts:
        if post.platform == "x":
            assert re.fullmatch(r"[1-9]\d{18}", post.external_id), post.external_id
        elif post.platform == "instagram" and not (post.conversation_id or "").startswith("t_"):
            assert re.fullmatch(r"18\d{15}", post.external_id), post.external_id
        elif (post.conversation_id or "").startswith(T.FACEBOOK_PAGE_ID):  # page comments
            pattern = rf"{T.FACEBOOK_PAGE_ID}_\d{{16}}_\d{{15}}"
            assert re.fullmatch(pattern, post.external_id), post.external_id
        else:
            assert re.fullmatch(r"m_[\w-]{22}", post.external_id), post.external_id
    mentions = [p for p in demo.posts if p.kind == "mention"]
    assert all(p.text.startswith(f"@{T.BRAND_X_HANDLE} ") for p in mentions)
    assert all(len(p.text) <= 280 for p in demo.posts if p.platform == "x" and p.kind != "dm")


def test_brand_replies_answer_earlier_posts(demo: DemoData) -> None:
    by_id = {p.external_id: p for p in demo.posts}
    replies = [p for p in demo.posts if not p.inbound]
    assert len(replies) >= 10
    for reply in replies:
        assert reply.kind == "reply" and reply.author.handle in (T.BRAND_X_HANDLE, T.BRAND)
        parent = by_id[reply.in_reply_to_id or ""]
        assert parent.inbound and parent.created_at < reply.created_at
        assert parent.platform == reply.platform


def test_tones_and_signals_of_real_posts(demo: DemoData) -> None:
    texts = [p.text.removeprefix(f"@{T.BRAND_X_HANDLE} ") for p in demo.posts if p.inbound]
    assert any(t == t.upper() and sum(c.isalpha() for c in t) > 30 for t in texts)  # ALL CAPS
    assert any(e in t for t in texts for e in ("😡", "🙄", "🙌"))
    assert any("real person" in t or "HUMAN" in t for t in texts)
    assert any(re.search(r"\$\d[\d,]*(\.\d\d)?", t) for t in texts)
    assert any(ORDER_ID.search(t) for t in texts)
    assert any("555-01" in t for t in texts)  # a callback number
    languages = {p.raw["demo"]["language"] for p in demo.posts if p.inbound and p.raw}
    assert {"en", "es", "ja"} <= languages
    tones = {p.raw["demo"]["tone"] for p in demo.posts if p.inbound and p.raw}
    assert {"calm", "sarcastic", "furious", "caps", "happy"} <= tones


def test_repeat_contacts_and_large_reach(demo: DemoData) -> None:
    by_author: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for post in demo.posts:
        if post.inbound:
            by_author[(post.platform, post.author.external_id)].append(post.created_at)
    assert any(
        len(times) >= 3 and times[2] - times[0] < timedelta(hours=12)
        for times in by_author.values()
    )
    loud = [p for p in demo.posts if p.inbound and p.author.followers >= 50_000]
    assert any(p.author.verified for p in loud)


def test_orders_are_realistic(demo: DemoData) -> None:
    ids = [o.id for o in demo.orders]
    assert len(set(ids)) == len(ids)
    assert all(ORDER_ID.fullmatch(order_id) for order_id in ids)
    values = [o.value for o in demo.orders]
    assert sum(v > 500 for v in values) >= 3 and sum(v < 50 for v in values) >= 10
    for order in demo.orders:
        total = sum(float(item["price"]) * item["qty"] for item in order.items)
        assert float(order.value) == pytest.approx(total)
        assert order.ordered_at <= NOW
        if order.delivered_at:
            assert order.shipped_at and order.ordered_at < order.shipped_at < order.delivered_at
    known = set(ids)
    for post in demo.posts:
        assert set(ORDER_ID.findall(post.text)) <= known  # no post cites a missing order
        if post.raw and post.raw["demo"].get("order_id"):
            assert post.raw["demo"]["order_id"] in known


def test_billing_errors_are_in_the_charges(demo: DemoData) -> None:
    charges: dict[str, list[datetime]] = defaultdict(list)
    for charge in demo.charges:
        charges[charge.order_id].append(charge.charged_at)
    subscriptions = [o for o in demo.orders if o.kind == "subscription"]
    assert subscriptions
    for order in subscriptions:
        assert order.status == "cancelled" and order.cancelled_at is not None
        assert any(at > order.cancelled_at for at in charges[order.id])
    doubled = [o for o in demo.orders if o.problem == "double_charge"]
    assert doubled and all(len(charges[o.id]) == 2 for o in doubled)
    normal = [o for o in demo.orders if o.problem is None]
    assert all(len(charges[o.id]) == 1 for o in normal)


def test_delivery_problems_match_the_order_state(demo: DemoData) -> None:
    missing = [o for o in demo.orders if o.problem == "delivered_missing"]
    assert missing and all(o.status == "delivered" and o.delivered_at for o in missing)
    stuck = [o for o in demo.orders if o.problem in ("late", "lost", "failed_attempts")]
    assert stuck and all(o.shipped_at and o.delivered_at is None for o in stuck)
    assert any(o.value > 500 for o in missing + stuck)
    first_post: dict[str, datetime] = {}
    for post in demo.posts:
        if post.inbound and post.raw and post.raw["demo"]["order_id"]:
            first_post.setdefault(post.raw["demo"]["order_id"], post.created_at)
    assert all(
        o.delivered_at and o.delivered_at < first_post[o.id] for o in missing if o.id in first_post
    )


def test_every_template_formats_with_its_topic_slots() -> None:
    common = {"brand", "handle", "product", "amount", "total", "days", "date", "time"}
    common |= {"carrier", "tracking", "scam_phone", "agent", "phone", "first"}
    with_order = common | {"order_id"}
    allowed = {topic: with_order for topic in T.TEMPLATES}
    for topic in ("phishing", "scam_line", "product_question", "spam"):
        allowed[topic] = common
    allowed["billing_after_cancel"] = with_order | {"membership", "fee", "cancel_date"}
    allowed["billing_after_cancel"] |= {"charge_date"}
    fields = string.Formatter()
    for topic, templates in T.TEMPLATES.items():
        english = list(templates)
        foreign = [text for _, text in T.NON_ENGLISH.get(topic, ())]
        for template in english + foreign:
            used = {name for _, name, _, _ in fields.parse(template) if name}
            assert used <= allowed[topic], (topic, template)
    for template in T.FOLLOW_UPS_NO_ORDER:
        assert "{order_id}" not in template
