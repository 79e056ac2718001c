"""Demo threads: who writes, on which channel, when, in what tone, and the text itself.

A thread is one person's contact about one problem: one to three inbound posts over hours,
sometimes answered by the brand. Ids are assigned last, in time order, and do not depend on
`now`, so loading the demo again a day later finds the same posts instead of adding copies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from monitor.sources import demo_text as T
from monitor.sources.base import AuthorInfo, IncomingPost
from monitor.sources.demo_world import DemoCharge, DemoCustomer, DemoOrder

CHANNELS = (
    ("x", "mention"),
    ("x", "dm"),
    ("facebook", "comment"),
    ("facebook", "dm"),
    ("instagram", "comment"),
    ("instagram", "dm"),
)
CHANNEL_WEIGHTS = (40, 18, 16, 12, 9, 5)
TONES = ("calm", "frustrated", "sarcastic", "furious", "caps")
TONE_WEIGHTS = {
    "default": (30, 20, 15, 25, 10),
    "account_security": (30, 35, 0, 30, 5),
    "product_question": (85, 15, 0, 0, 0),
}
STRANGER_SHARE = {"spam": 1.0, "product_question": 0.5, "praise": 0.3}
REPLY_CHANCE = {"spam": 0.0, "praise": 0.4}
X_ID_START = 2_006_000_000_000_000_000  # a 2026-era snowflake: 19 digits
MID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
BRAND_X = AuthorInfo("x", T.BRAND_X_USER_ID, T.BRAND_X_HANDLE, f"{T.BRAND} Help", 250_000, True)
BRAND_FB = AuthorInfo("facebook", T.FACEBOOK_PAGE_ID, T.BRAND, T.BRAND, 1_200_000, True)
BRAND_IG = AuthorInfo(
    "instagram", T.INSTAGRAM_USER_ID, T.INSTAGRAM_USERNAME, T.BRAND, 480_000, True
)
BRAND_BY_PLATFORM = {"x": BRAND_X, "facebook": BRAND_FB, "instagram": BRAND_IG}


@dataclass
class Thread:
    index: int
    situation: str
    topic: str
    platform: str
    kind: str
    customer: DemoCustomer | None
    author: AuthorInfo
    conversation: str | None
    tone: str = "calm"
    foreign: tuple[str, str] | None = None  # (language, template) of a non-English thread
    human: bool = False  # asks for a real person
    events: list[tuple[bool, datetime]] = field(default_factory=list)  # (inbound?, when)

    @property
    def start(self) -> datetime:
        return self.events[0][1]


@dataclass
class Draft:
    seq: int
    thread: Thread
    inbound: bool
    author: AuthorInfo
    text: str
    created_at: datetime
    parent: Draft | None
    meta: dict[str, Any]
    external_id: str = ""
    post: IncomingPost | None = None

    @property
    def platform(self) -> str:
        return self.thread.platform

    @property
    def customer(self) -> int | None:
        return self.thread.customer.number if self.thread.customer else None


class PostBuilder:
    def __init__(
        self, rng: random.Random, now: datetime, days: int, customers: list[DemoCustomer]
    ) -> None:
        self.rng, self.now, self.days, self.customers = rng, now, days, customers
        self.drafts: list[Draft] = []
        self.page_posts = [str(rng.randrange(10**15, 10**16)) for _ in range(6)]
        self.strangers = [self._stranger(i) for i in range(max(6, len(customers) // 2))]

    @property
    def count(self) -> int:
        return len(self.drafts)

    def _stranger(self, i: int) -> DemoCustomer:
        """Someone who is not (known as) a customer: spammers, shoppers with a question."""
        rng = self.rng
        handle = f"{rng.choice(T.STRANGER_HANDLES)}{rng.randrange(10, 99)}{i}"
        name = f"{rng.choice(T.FIRST_NAMES)} {rng.choice(T.LAST_NAMES)}"
        followers = int(rng.lognormvariate(4, 1.5))
        x_id, fb_id = str(rng.randrange(10**9, 10**18)), str(rng.randrange(10**15, 10**16))
        return DemoCustomer(0, name, "", "", handle, x_id, fb_id, followers, False, self.now)

    def plan(self, index: int, situation: str, topic: str, forced: dict[str, Any]) -> Thread:
        rng = self.rng
        channel = forced.get("channel")
        platform, kind = (
            CHANNELS[channel] if channel is not None else _pick(rng, CHANNELS, CHANNEL_WEIGHTS)
        )
        customer = None
        if forced.get("reach"):
            customer = self.customers[0]  # customer 1 always has a large, verified audience
        elif rng.random() >= STRANGER_SHARE.get(situation, 0.0):
            customer = rng.choice(self.customers)
        author, conversation = self._author(platform, kind, customer)
        thread = Thread(index, situation, topic, platform, kind, customer, author, conversation)
        if situation in ("praise", "spam"):
            thread.tone = "happy" if situation == "praise" else "neutral"
        else:
            weights = TONE_WEIGHTS.get(situation, TONE_WEIGHTS["default"])
            thread.tone = forced.get("tone") or rng.choices(TONES, weights)[0]
        if forced.get("lang") or (topic in T.NON_ENGLISH and rng.random() < 0.06):
            options = T.NON_ENGLISH[topic]
            wanted = [o for o in options if o[0] == forced.get("lang")]
            thread.foreign = rng.choice(wanted or options)
        single = situation in ("spam", "praise")
        inbound = forced.get("inbound") or (1 if single else _pick(rng, (1, 2, 3), (70, 20, 10)))
        reply = forced.get("reply", rng.random() < REPLY_CHANCE.get(situation, 0.25))
        thread.human = bool(forced.get("human", not single and rng.random() < 0.2))
        thread.events = self._times(inbound, reply, fast=thread.tone in ("furious", "caps"))
        return thread

    def _author(
        self, platform: str, kind: str, customer: DemoCustomer | None
    ) -> tuple[AuthorInfo, str | None]:
        """The author as the platform shows them, and the conversation the thread lives in."""
        rng = self.rng
        person = customer or rng.choice(self.strangers)
        reach = (person.followers, person.verified)
        if platform == "x":
            author = AuthorInfo("x", person.x_user_id, person.x_handle, person.name, *reach)
            low, high = sorted((int(person.x_user_id), int(T.BRAND_X_USER_ID)))
            return author, f"{low}-{high}" if kind == "dm" else None
        fb_id = person.facebook_id
        if platform == "instagram":  # Instagram-scoped ids; usernames are the X handles
            ig_id = str(int(fb_id) + 17 * 10**15)
            author = AuthorInfo("instagram", ig_id, person.x_handle.lower(), person.name, *reach)
            if kind == "dm":
                return author, f"t_ig_{int(fb_id) % 10**15 + 10**14}"
            return author, f"179{rng.choice(self.page_posts)}"  # the media commented on
        author = AuthorInfo("facebook", fb_id, fb_id, person.name, *reach)
        if kind == "dm":
            return author, f"t_{int(fb_id) % 10**15 + 10**14}"
        return author, f"{T.FACEBOOK_PAGE_ID}_{rng.choice(self.page_posts)}"

    def _times(self, inbound: int, reply: bool, *, fast: bool) -> list[tuple[bool, datetime]]:
        """Thread start skewed towards now (recent hours are denser), then gaps of hours."""
        rng = self.rng
        start = self.now - timedelta(seconds=max(120.0, self.days * 86400 * rng.random() ** 2))
        kinds = [True] * inbound
        if reply:  # usually after the last post; sometimes the customer writes back after it
            kinds.insert(inbound if inbound == 1 or rng.random() < 0.6 else 1, False)
        events, at = [], start
        for k, is_inbound in enumerate(kinds):
            if k:
                low, high = (8, 180) if not is_inbound else ((10, 120) if fast else (20, 360))
                at += timedelta(minutes=rng.uniform(low, high))
            events.append((is_inbound, at.replace(microsecond=0)))
        overflow = events[-1][1] - self.now
        if overflow > timedelta(0):  # it would end in the future: it started earlier
            overflow += timedelta(minutes=rng.uniform(1, 90))
            events = [(i, when - overflow) for i, when in events]
        return events

    def write(self, thread: Thread, order: DemoOrder | None, charges: list[DemoCharge]) -> None:
        ctx = self._context(thread, order, charges)
        meta = {
            "situation": thread.situation,
            "topic": thread.topic,
            "tone": thread.tone,
            "language": thread.foreign[0] if thread.foreign else "en",
            "order_id": order.id if order else None,
            "human_request": thread.human,
            "thread": thread.index,
        }
        last: Draft | None = None
        last_inbound: Draft | None = None
        sent = 0
        for is_inbound, when in thread.events:
            if is_inbound:
                hours = (when - thread.start).total_seconds() / 3600
                text = self._inbound_text(thread, ctx, sent, hours)
                parent = last if thread.kind != "dm" else None
                meta_k = {"demo": meta | {"contact": sent + 1}}
                draft = Draft(self.count, thread, True, thread.author, text, when, parent, meta_k)
                sent += 1
                last_inbound = draft
            else:
                text = self._reply_text(thread, ctx)
                author = BRAND_BY_PLATFORM[thread.platform]
                meta_r = {"demo": {"brand_reply": True, "thread": thread.index}}
                draft = Draft(self.count, thread, False, author, text, when, last_inbound, meta_r)
            self.drafts.append(draft)
            last = draft

    def _context(
        self, thread: Thread, order: DemoOrder | None, charges: list[DemoCharge]
    ) -> dict[str, str]:
        """Slot values for the templates; order slots only when the thread has an order."""
        rng, t0, customer = self.rng, thread.start, thread.customer
        if order is not None:
            product, value = order.items[0]["name"], order.value
            ref = order.delivered_at or order.ordered_at
            if order.shipped_at and not order.delivered_at:
                ref = order.shipped_at + timedelta(days=3)  # when it should have arrived
        else:
            product, price = rng.choice(T.HIGH_VALUE + T.EVERYDAY)
            value, ref = Decimal(price), t0 - timedelta(days=rng.randrange(2, 9))
        tracking = order.tracking_number if order else None
        ctx = {
            "brand": T.BRAND,
            "handle": f"@{T.BRAND_X_HANDLE}",
            "product": product,
            "amount": T.money(value),
            "total": T.money(value * 2),
            "days": str(max(2, (t0 - ref).days)),
            "date": T.day(ref),
            "time": T.clock(ref),
            "carrier": (order.carrier if order else None) or rng.choice(T.CARRIERS),
            "tracking": tracking or f"1Z{rng.randrange(10**15, 10**16)}",
            "scam_phone": rng.choice(T.SCAM_PHONES),
            "agent": rng.choice(T.AGENTS),
            "phone": customer.phone if customer else f"+1 555-01{rng.randrange(100):02d}",
            "first": (thread.author.display_name or thread.author.handle).split()[0],
        }
        if order is not None:
            ctx["order_id"] = order.id
            if order.kind == "subscription" and order.cancelled_at:
                # the newest charge of the order: the one taken after the cancellation
                taken = next(c.charged_at for c in reversed(charges) if c.order_id == order.id)
                ctx["membership"] = f"my {product}"
                ctx["fee"] = T.money(value)
                ctx["cancel_date"] = T.day(order.cancelled_at)
                ctx["charge_date"] = T.day(taken)
        return ctx

    def _inbound_text(self, thread: Thread, ctx: dict[str, str], sent: int, hours: float) -> str:
        rng = self.rng
        prefix = f"@{T.BRAND_X_HANDLE} " if thread.kind == "mention" else ""
        limit = 280 - len(prefix) if thread.platform == "x" and thread.kind != "dm" else 2000
        tone = "furious" if thread.tone == "caps" else thread.tone
        if sent:  # a repeat contact
            pool = T.FOLLOW_UPS if "order_id" in ctx else T.FOLLOW_UPS_NO_ORDER
            nth = {1: "2nd", 2: "3rd"}.get(sent, f"{sent + 1}th")
            slots = ctx | {"hours": str(max(2, round(hours))), "nth": nth}
            core = rng.choice(pool).format_map(slots)
        elif thread.foreign:
            return prefix + thread.foreign[1].format_map(ctx)
        else:
            core = rng.choice(T.TEMPLATES[thread.topic]).format_map(ctx)
        if thread.situation == "spam":
            return prefix + core
        order_id = ctx.get("order_id", "") if thread.situation != "praise" else ""
        extras = {  # optional pieces, dropped from the last one while the post is too long
            "human": rng.choice(T.HUMAN_REQUESTS) if thread.human else "",
            "suffix": f"Order #{order_id}." if order_id not in core and _maybe(rng, 0.25) else "",
            "closer": rng.choice(T.CLOSERS[tone]) if _maybe(rng, 0.6) else "",
            "opener": rng.choice(T.OPENERS[tone]) if _maybe(rng, 0.5) else "",
            "emoji": rng.choice(T.EMOJIS[tone]) if _maybe(rng, 0.35) else "",
        }
        extras = {k: v.format_map(ctx) for k, v in extras.items()}
        if rng.random() < 0.15:
            core = T.typo(rng, core)
        order = ("opener", "core", "suffix", "human", "closer", "emoji")
        parts = extras | {"core": core}
        body = " ".join(parts[k] for k in order if parts[k])
        for drop in ("emoji", "opener", "closer", "suffix", "human"):
            if len(body) <= limit:
                break
            parts[drop] = ""
            body = " ".join(parts[k] for k in order if parts[k])
        body = body[:limit]
        return prefix + (body.upper() if thread.tone == "caps" else body)

    def _reply_text(self, thread: Thread, ctx: dict[str, str]) -> str:
        pool = {"praise": T.PRAISE_REPLIES, "product_question": T.QUESTION_REPLIES}.get(
            thread.situation, T.DM_REPLIES if thread.kind == "dm" else T.BRAND_REPLIES
        )
        text = self.rng.choice(pool).format_map(ctx)
        return f"@{thread.author.handle} {text}" if thread.kind == "mention" else text

    def finish(self, limit: int, source: str) -> list[Draft]:
        """Keep the first `limit` drafts, give them ids in time order and build the posts."""
        rng = self.rng
        drafts = self.drafts[:limit]
        x_next = X_ID_START + rng.randrange(1 << 22)
        comment_next = 7 * 10**14 + rng.randrange(10**12)
        mids: set[str] = set()
        for d in sorted(drafts, key=lambda d: (d.created_at, d.seq)):
            if d.platform == "x":  # snowflake-like: grows with time, 19 digits
                x_next += (rng.randrange(1, 1000) << 22) + rng.randrange(1 << 22)
                d.external_id = str(x_next)
            elif d.platform == "instagram" and d.thread.kind == "comment":  # 17-digit ids
                comment_next += rng.randrange(1, 10**6)
                d.external_id = f"18{comment_next % 10**15:015d}"
            elif d.thread.kind == "comment":  # {page_id}_{post_id}_{comment_id}
                comment_next += rng.randrange(1, 10**6)
                d.external_id = f"{d.thread.conversation}_{comment_next}"
            else:  # Messenger message id
                while not d.external_id or d.external_id in mids:
                    d.external_id = "m_" + "".join(rng.choice(MID_CHARS) for _ in range(22))
                mids.add(d.external_id)
        roots: dict[int, Draft] = {}
        for d in drafts:  # still in creation order: a thread's first draft is its root
            root = roots.setdefault(d.thread.index, d)
            conversation = d.thread.conversation
            if d.platform == "x" and d.thread.kind == "mention":
                conversation = root.external_id
            d.post = IncomingPost(
                platform=d.platform,
                external_id=d.external_id,
                kind=d.thread.kind if d.inbound else "reply",
                author=d.author,
                text=d.text,
                created_at=d.created_at,
                source=source,
                inbound=d.inbound,
                conversation_id=conversation,
                in_reply_to_id=d.parent.external_id if d.parent else None,
                raw=d.meta,
            )
        drafts.sort(key=lambda d: (d.created_at, d.seq))
        return drafts


def _pick(rng: random.Random, options: tuple[Any, ...], weights: tuple[int, ...]) -> Any:
    return rng.choices(options, weights)[0]


def _maybe(rng: random.Random, chance: float) -> bool:
    return rng.random() < chance
