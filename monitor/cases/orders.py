"""Finding the order a case is about, and linking it.

Suggestions are ranked by evidence an agent can check at a glance (an order number in the
text, the author's handle known as a customer, a delivered-but-missing parcel or a billing
error, an item the customer named), and each suggestion lists that evidence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.db.models import Author, Case, CaseOrderLink, Customer, Order, Post
from monitor.errors import UserFacingError
from monitor.scoring.signals import order_numbers

RECENT_DAYS = 60
MISSING_WORDS = re.compile(
    r"\b(?:never\s+(?:came|arrived|got|received)|not\s+(?:received|arrived|here)|missing|"
    r"didn'?t\s+(?:get|receive|arrive)|no\s+package|stolen|empty\s+box|where\s+is)\b",
    re.IGNORECASE,
)
_BILLING = re.compile(
    r"\b(?:charg\w*|billed|twice|double|renew\w*|subscription|membership|cancel\w*)\b", re.I
)
_WORD = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset("the and for with pro max new set pack mini plus inch".split())


class OrderError(UserFacingError):
    """An order cannot be found, linked or unlinked as asked."""


@dataclass(frozen=True)
class ChargeView:
    amount: Decimal
    currency: str
    charged_at: datetime
    description: str


@dataclass(frozen=True)
class OrderView:
    id: str
    customer_id: int
    customer_name: str
    kind: str
    items: list[dict[str, Any]]
    value: Decimal
    currency: str
    status: str
    ordered_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    charges: list[ChargeView] = field(default_factory=list)

    @classmethod
    def of(cls, order: Order) -> OrderView:
        return cls(
            id=order.id,
            customer_id=order.customer_id,
            customer_name=order.customer.name,
            kind=order.kind,
            items=list(order.items or []),
            value=order.value,
            currency=order.currency,
            status=order.status,
            ordered_at=order.ordered_at,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            cancelled_at=order.cancelled_at,
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            charges=[
                ChargeView(c.amount, c.currency, c.charged_at, c.description) for c in order.charges
            ],
        )


@dataclass(frozen=True)
class OrderSuggestion:
    order: OrderView
    score: float
    evidence: list[str]


def _load(session: Session, *conditions: Any, limit: int = 50) -> list[Order]:
    query = (
        select(Order)
        .options(selectinload(Order.customer), selectinload(Order.charges))
        .where(*conditions)
        .order_by(Order.ordered_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def get_order(session: Session, order_id: str) -> OrderView:
    orders = _load(session, Order.id == order_id.strip())
    if not orders:
        raise OrderError(f"no order {order_id!r}")
    return OrderView.of(orders[0])


def search_orders(session: Session, query: str, *, limit: int = 20) -> list[OrderView]:
    """By order id (or its beginning), or by customer name, e-mail, phone or handle."""
    query = query.strip()
    if not query:
        return []
    pattern = f"%{query.lower().lstrip('@')}%"
    customers = select(Customer.id).where(
        or_(
            func.lower(Customer.name).like(pattern),
            func.lower(Customer.email).like(pattern),
            func.lower(Customer.x_handle).like(pattern),
            Customer.phone.like(f"%{query}%"),
        )
    )
    found = _load(
        session,
        or_(Order.id.like(f"{query}%"), Order.customer_id.in_(customers)),
        limit=limit,
    )
    return [OrderView.of(order) for order in found]


def linked_orders(session: Session, case_id: int) -> list[OrderView]:
    ids = select(CaseOrderLink.order_id).where(CaseOrderLink.case_id == case_id)
    return [OrderView.of(order) for order in _load(session, Order.id.in_(ids))]


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise OrderError(f"no case {case_id}")
    return case


def case_customer(session: Session, case: Case) -> tuple[Customer | None, str]:
    """The customer behind a case's author, and how we know."""
    author: Author = case.author
    if author.customer is not None:
        return author.customer, f"@{author.handle} is linked to customer {author.customer.name}"
    column = Customer.x_handle if author.platform == "x" else Customer.facebook_id
    value = author.handle if author.platform == "x" else author.external_id
    customer = session.scalars(select(Customer).where(column == value)).first()
    if customer is not None:
        return customer, f"@{author.handle} matches customer {customer.name}'s {author.platform}"
    return None, ""


def billing_errors(order: Order) -> list[tuple[Decimal, str]]:
    """Clear billing errors on an order, as (amount to give back, evidence)."""
    found: list[tuple[Decimal, str]] = []
    if order.cancelled_at is not None:
        for charge in order.charges:
            if charge.charged_at > order.cancelled_at:
                found.append(
                    (
                        charge.amount,
                        f"{order.items[0]['name'] if order.items else 'subscription'} charged "
                        f"${charge.amount:,.2f} on {charge.charged_at:%Y-%m-%d}, after its "
                        f"cancellation on {order.cancelled_at:%Y-%m-%d}",
                    )
                )
    charges = sorted(order.charges, key=lambda c: c.charged_at)
    for first, second in itertools.pairwise(charges):
        gap = second.charged_at - first.charged_at
        if first.amount == second.amount and gap < timedelta(days=1):
            found.append(
                (
                    second.amount,
                    f"${second.amount:,.2f} charged twice, {int(gap.total_seconds() // 60)} "
                    f"minutes apart ({first.charged_at:%Y-%m-%d %H:%M} and "
                    f"{second.charged_at:%H:%M})",
                )
            )
    return found


def named_items(order: Order, text: str) -> list[str]:
    words = set(_WORD.findall(text.lower())) - _STOP
    named = []
    for item in order.items or []:
        name = str(item.get("name", ""))
        item_words = set(_WORD.findall(name.lower())) - _STOP
        if item_words and len(item_words & words) >= min(2, len(item_words)):
            named.append(name)
    return named


def suggest_orders(session: Session, case_id: int, *, limit: int = 5) -> list[OrderSuggestion]:
    """Candidate orders for a case, best evidence first; already linked orders are left out."""
    case = _case(session, case_id)
    texts = session.scalars(
        select(Post.text).where(Post.case_id == case_id, Post.inbound.is_(True))
    ).all()
    text = "\n".join(texts)
    linked = set(
        session.scalars(select(CaseOrderLink.order_id).where(CaseOrderLink.case_id == case_id))
    )
    evidence: dict[str, list[str]] = {}
    scores: dict[str, float] = {}
    orders: dict[str, Order] = {}

    def note(order: Order, points: float, why: str) -> None:
        orders[order.id] = order
        scores[order.id] = scores.get(order.id, 0.0) + points
        evidence.setdefault(order.id, []).append(why)

    numbers = [n for n in order_numbers(text) if n not in linked]
    for order in _load(session, Order.id.in_(numbers)) if numbers else []:
        note(order, 100, f"order number {order.id} appears in the conversation")
    customer, why = case_customer(session, case)
    if customer is not None:
        since = case.last_post_at - timedelta(days=RECENT_DAYS)
        for order in _load(session, Order.customer_id == customer.id):
            if order.id in linked:
                continue
            note(order, 30, why)
            if order.ordered_at >= since or (order.cancelled_at or order.ordered_at) >= since:
                note(order, 5, f"ordered {order.ordered_at:%Y-%m-%d}, within {RECENT_DAYS} days")
            if order.status == "delivered" and MISSING_WORDS.search(text):
                when = f" on {order.delivered_at:%Y-%m-%d}" if order.delivered_at else ""
                note(order, 25, f"marked delivered{when}, and the customer says it is missing")
            if _BILLING.search(text):
                for _amount, problem in billing_errors(order):
                    note(order, 25, problem)
            for name in named_items(order, text):
                note(order, 20, f"{name} is named in the post")
    ranked = sorted(orders, key=lambda oid: (-scores[oid], -orders[oid].ordered_at.timestamp()))
    return [
        OrderSuggestion(OrderView.of(orders[oid]), scores[oid], evidence[oid])
        for oid in ranked[:limit]
    ]


def link_order(
    session: Session, actor: Actor, case_id: int, order_id: str, *, evidence: str = ""
) -> CaseOrderLink:
    require(actor, "case.work")
    case = _case(session, case_id)
    order = session.get(Order, order_id.strip())
    if order is None:
        raise OrderError(f"no order {order_id!r}")
    existing = session.scalars(
        select(CaseOrderLink).where(
            CaseOrderLink.case_id == case.id, CaseOrderLink.order_id == order.id
        )
    ).first()
    if existing is not None:
        return existing
    link = CaseOrderLink(
        case_id=case.id, order_id=order.id, linked_by=actor.user_id, evidence=evidence[:300]
    )
    session.add(link)
    session.flush()
    audit.record(
        session, actor, "case.link_order", "case", case.id,
        after={"order_id": order.id, "evidence": evidence[:300]},
    )  # fmt: skip
    return link


def unlink_order(session: Session, actor: Actor, case_id: int, order_id: str) -> None:
    require(actor, "case.work")
    removed = session.execute(
        delete(CaseOrderLink).where(
            CaseOrderLink.case_id == case_id, CaseOrderLink.order_id == order_id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise OrderError(f"order {order_id} is not linked to case {case_id}")
    audit.record(
        session, actor, "case.unlink_order", "case", case_id, before={"order_id": order_id}
    )
