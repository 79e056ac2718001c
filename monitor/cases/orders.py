"""Finding the order a case is about, and linking it.

Suggestions are ranked by evidence an agent can check at a glance (an order number in the
text, the author's handle known as a customer, a delivered-but-missing parcel or a billing
error, an item the customer named), and each suggestion lists that evidence.

An order is shown in full on a case only if it belongs to the case's verified customer. A
stranger who quotes someone else's order number sees it come back as "quoted by the author,
belongs to another customer", without that customer's name, items, charges or tracking, and
it cannot be linked or resolved from the case until a senior links the author to its owner.
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

from monitor import submissions
from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.cases.naming import author_label, platform_label
from monitor.db.engine import rows_changed
from monitor.db.models import Author, Case, CaseOrderLink, Customer, Order, Post
from monitor.errors import UserFacingError
from monitor.scoring.signals import order_numbers
from monitor.vocab import Permission, Platform

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
class WithheldOrder:
    """An order the case may not see: only its number and why it is withheld."""

    id: str
    why: str


@dataclass(frozen=True)
class OrderSuggestion:
    order: OrderView | WithheldOrder
    score: float
    evidence: list[str]


ANOTHER_CUSTOMER = "quoted by the author, belongs to another customer"


def _withheld(order_id: str, customer: Customer | None) -> WithheldOrder:
    hint = "" if customer else " (the author is not linked to a customer yet)"
    return WithheldOrder(order_id, f"order number {order_id} is {ANOTHER_CUSTOMER}{hint}")


def _shown(order: Order, customer: Customer | None) -> OrderView | WithheldOrder:
    if customer is not None and order.customer_id == customer.id:
        return OrderView.of(order)
    return _withheld(order.id, customer)


def _load(session: Session, *conditions: Any, limit: int = 50) -> list[Order]:
    query = (
        select(Order)
        .options(selectinload(Order.customer), selectinload(Order.charges))
        .where(*conditions)
        .order_by(Order.ordered_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def search_orders(
    session: Session, query: str, *, case_id: int, limit: int = 20
) -> list[OrderView | WithheldOrder]:
    """By order id (or its beginning), or by customer name, e-mail, phone or handle; orders
    of anyone but the case's verified customer come back withheld."""
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
    customer, _how = case_customer(session, _case(session, case_id))
    return [_shown(order, customer) for order in found]


def linked_orders(session: Session, case_id: int) -> list[OrderView]:
    """Linked orders of the case's verified customer (linking refuses anyone else's; a link
    made before the author was re-linked to someone else stays hidden)."""
    customer, _how = case_customer(session, _case(session, case_id))
    if customer is None:
        return []
    ids = select(CaseOrderLink.order_id).where(CaseOrderLink.case_id == case_id)
    orders = _load(session, Order.id.in_(ids), Order.customer_id == customer.id)
    return [OrderView.of(order) for order in orders]


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise OrderError(f"no case {case_id}")
    return case


def case_customer(session: Session, case: Case) -> tuple[Customer | None, str]:
    """The customer behind a case's author, and how we know."""
    author: Author = case.author
    linked = session.get(Customer, author.customer_id) if author.customer_id else None
    if linked is not None:
        who = author_label(author.platform, author.handle, author.display_name)
        return linked, f"{who} is linked to customer {linked.name}"
    on_x = author.platform == Platform.X
    column = Customer.x_handle if on_x else Customer.facebook_id
    value = author.handle if on_x else author.external_id
    customer = session.scalars(select(Customer).where(column == value)).first()
    if customer is not None:
        who = author_label(author.platform, author.handle, author.display_name)
        where = platform_label(author.platform)
        return customer, f"{who} matches customer {customer.name}'s {where} account"
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

    customer, why = case_customer(session, case)
    withheld: list[OrderSuggestion] = []
    numbers = [n for n in order_numbers(text) if n not in linked]
    for order in _load(session, Order.id.in_(numbers)) if numbers else []:
        if customer is not None and order.customer_id == customer.id:
            note(order, 100, f"order number {order.id} appears in the conversation")
        else:
            shown = _withheld(order.id, customer)
            withheld.append(OrderSuggestion(shown, 0.0, [shown.why]))
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
    ] + withheld


def _owned_order(session: Session, case: Case, order_id: str) -> Order:
    order = session.get(Order, order_id.strip())
    customer, _how = case_customer(session, case)
    if order is None or customer is None or order.customer_id != customer.id:
        # One message whether the order exists or not: the answer must not reveal whose it is.
        who = "its verified customer" if customer else "a customer: link the author first"
        raise OrderError(
            f"order {order_id.strip()!r} is not an order of this case's customer, so it cannot "
            f"be linked (the case belongs to {who}; rule case.order_owner)"
        )
    return order


def link_order(
    session: Session, actor: Actor, case_id: int, order_id: str, *, key: str, evidence: str = ""
) -> CaseOrderLink:
    require(actor, Permission.CASE_WORK)
    case = _case(session, case_id)
    submissions.check(session, key)
    order = _owned_order(session, case, order_id)
    existing = session.scalars(
        select(CaseOrderLink).where(
            CaseOrderLink.case_id == case.id, CaseOrderLink.order_id == order.id
        )
    ).first()
    if existing is not None:
        return existing
    submissions.begin(session, key, "case.link_order", actor, case_id=case.id)
    link = CaseOrderLink(
        case_id=case.id, order_id=order.id, linked_by=actor.user_id, evidence=evidence[:300]
    )
    session.add(link)
    session.flush()
    audit.record(
        session, actor, "case.link_order", "case", case.id,
        after={"order_id": order.id, "evidence": evidence[:300]},
    )  # fmt: skip
    submissions.finish(session, key, f"order {order.id} linked to case {case.id}")
    return link


def unlink_order(session: Session, actor: Actor, case_id: int, order_id: str, *, key: str) -> None:
    require(actor, Permission.CASE_WORK)
    submissions.check(session, key)
    submissions.begin(session, key, "case.unlink_order", actor, case_id=case_id)
    removed = session.execute(
        delete(CaseOrderLink).where(
            CaseOrderLink.case_id == case_id, CaseOrderLink.order_id == order_id
        )
    )
    if not rows_changed(removed):
        raise OrderError(f"order {order_id} is not linked to case {case_id}")
    audit.record(
        session, actor, "case.unlink_order", "case", case_id, before={"order_id": order_id}
    )
    submissions.finish(session, key, f"order {order_id} unlinked from case {case_id}")


def link_author_to_customer(
    session: Session,
    actor: Actor,
    case_id: int,
    customer_ref: str,
    *,
    key: str,
    evidence: str,
) -> Customer:
    """Establish who the case's author is: the customer owning order `customer_ref`, or with
    that e-mail. It decides whose orders and money the case can touch, so it needs the
    `customer.link` permission, a stated evidence, and goes into the audit log."""
    require(actor, Permission.CUSTOMER_LINK)
    if not evidence.strip():
        raise OrderError("say how the author proved who they are (e.g. 'confirmed e-mail by DM')")
    case = _case(session, case_id)
    submissions.check(session, key)
    ref = customer_ref.strip()
    order = session.get(Order, ref) if ref else None
    customer = (
        session.get(Customer, order.customer_id)
        if order is not None
        else session.scalars(
            select(Customer).where(func.lower(Customer.email) == ref.lower())
        ).first()
    )
    if customer is None:
        raise OrderError(f"no customer with order number or e-mail {ref!r}")
    author = session.get_one(Author, case.author_id)
    before = author.customer_id
    submissions.begin(session, key, "author.link_customer", actor, case_id=case.id)
    author.customer_id = customer.id
    session.flush()
    audit.record(
        session, actor, "author.link_customer", "author", author.id,
        before={"customer_id": before},
        after={"customer_id": customer.id, "by": ref, "evidence": evidence.strip()[:300]},
    )  # fmt: skip
    submissions.finish(session, key, f"@{author.handle} linked to a customer")
    return customer
