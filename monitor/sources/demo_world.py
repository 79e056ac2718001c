"""The demo's customers, their orders and the charges taken for them.

Each problem a demo post raises is built here first (a parcel marked delivered, a membership
charged after its cancellation, a payment taken twice), so the posts talk about orders and
charges that really exist in the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from monitor.sources import demo_text as T

# topic -> (order status, days from ordering to the first post, delivered: days before the post)
ORDER_STORIES: dict[str, tuple[str, tuple[float, float], float]] = {
    "delivered_missing": ("delivered", (3, 9), 2),
    "failed_attempts": ("delivery_failed", (5, 10), 0),
    "late": ("shipped", (8, 15), 0),
    "lost": ("lost_in_transit", (10, 20), 0),
    "refund_denied": ("delivered", (4, 12), 3),
    "hacked": ("placed", (0.05, 0.4), 0),  # the order the intruder placed
    "double_charge": ("shipped", (1, 3), 0),
    "cancel_order": ("placed", (0.01, 0.2), 0),
    "praise": ("delivered", (2, 6), 1),
    "billing_after_cancel": ("cancelled", (0, 0), 0),
}


@dataclass(frozen=True)
class DemoCustomer:
    number: int  # 1-based position in the demo; the database id is found by email
    name: str
    email: str
    phone: str
    x_handle: str
    x_user_id: str
    facebook_id: str
    followers: int
    verified: bool
    created_at: datetime


@dataclass(frozen=True)
class DemoOrder:
    id: str
    customer: int  # DemoCustomer.number
    kind: str  # purchase or subscription
    items: list[dict[str, Any]]
    value: Decimal
    status: str
    ordered_at: datetime
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    problem: str | None = None  # the topic a post raises about it (not stored)
    currency: str = "USD"


@dataclass(frozen=True)
class DemoCharge:
    order_id: str
    amount: Decimal
    charged_at: datetime
    description: str
    currency: str = "USD"


class World:
    """Customers, their orders and charges, drawn from one random generator."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.orders: list[DemoOrder] = []
        self.charges: list[DemoCharge] = []
        self._order_ids: set[str] = set()
        self._handles: set[str] = set()

    def customer(self, number: int) -> DemoCustomer:
        rng = self.rng
        first, last = rng.choice(T.FIRST_NAMES), rng.choice(T.LAST_NAMES)
        handle = rng.choice(T.HANDLE_PATTERNS).format(
            f=first.lower(), l=last.lower(), n=rng.randrange(1, 99), y=rng.randrange(1975, 2006)
        )[:15]
        while handle in self._handles:
            handle = f"{handle[:12]}{rng.randrange(100, 999)}"
        self._handles.add(handle)
        famous = number == 1 or rng.random() < 0.06
        followers = rng.randrange(50_000, 900_000) if famous else int(rng.lognormvariate(5, 1.4))
        customer = DemoCustomer(
            number=number,
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}{number}@example.{rng.choice(['com', 'net'])}",
            phone=f"+1 {rng.choice(['202', '312', '415', '646', '737'])}-555-01{number % 100:02d}",
            x_handle=handle,
            x_user_id=str(rng.randrange(10**9, 10**18)),
            facebook_id=str(rng.randrange(10**15, 10**16)),
            followers=followers,
            verified=famous and rng.random() < 0.8,
            created_at=self.now - timedelta(days=rng.randrange(30, 1500)),
        )
        for _ in range(rng.randrange(0, 3)):  # ordinary history: nothing wrong with these
            ago = timedelta(days=rng.uniform(10, 120))
            self._purchase(number, "delivered", self.now - ago, None, high_value=rng.random() < 0.1)
        return customer

    def order_for(
        self, topic: str, customer: int | None, t0: datetime, high_value: bool | None
    ) -> DemoOrder | None:
        """The order a thread is about, in the state its story needs."""
        rng = self.rng
        if customer is None or topic not in ORDER_STORIES:
            return None
        if topic == "billing_after_cancel":
            return self._subscription(customer, t0)
        status, (age_low, age_high), arrived = ORDER_STORIES[topic]
        hv = rng.random() < 0.35 if high_value is None else high_value
        ordered = t0 - timedelta(days=rng.uniform(age_low, age_high))
        delivered = None
        if arrived:  # delivered a few hours to a few days before the customer writes
            delivered = t0 - timedelta(hours=rng.uniform(2, 24 * min(arrived, age_low - 1)))
        order = self._purchase(customer, status, ordered, topic, high_value=hv, delivered=delivered)
        if topic == "double_charge":  # the same amount taken again minutes later
            self._charge(order, order.ordered_at + timedelta(minutes=rng.randrange(2, 40)))
        return order

    def _purchase(
        self, customer: int, status: str, ordered: datetime, problem: str | None,
        *, high_value: bool, delivered: datetime | None = None,
    ) -> DemoOrder:  # fmt: skip
        rng = self.rng
        name, price = rng.choice(T.HIGH_VALUE if high_value else T.EVERYDAY)
        qty = 1 if high_value else rng.choice((1, 1, 1, 2))
        items: list[dict[str, Any]] = [{"name": name, "qty": qty, "price": price}]
        if not high_value and rng.random() < 0.3:
            extra, extra_price = rng.choice(T.EVERYDAY)
            items.append({"name": extra, "qty": 1, "price": extra_price})
        value = sum((Decimal(i["price"]) * i["qty"] for i in items), Decimal("0.00"))
        ordered = ordered.replace(microsecond=0)
        shipped = None
        if status != "placed":
            shipped = (ordered + timedelta(hours=rng.uniform(4, 20))).replace(microsecond=0)
        if status == "delivered" and delivered is None:
            delivered = ordered + timedelta(days=rng.uniform(1.5, 4))
        carrier = rng.choice(T.CARRIERS) if shipped else None
        order = DemoOrder(
            id=self._order_id(),
            customer=customer,
            kind="purchase",
            items=items,
            value=value,
            status=status,
            ordered_at=ordered,
            shipped_at=shipped,
            delivered_at=delivered.replace(microsecond=0) if delivered else None,
            carrier=carrier,
            tracking_number=_tracking(rng, carrier) if carrier else None,
            problem=problem,
        )
        self.orders.append(order)
        self._charge(order, ordered + timedelta(minutes=rng.randrange(0, 2)))
        return order

    def _subscription(self, customer: int, t0: datetime) -> DemoOrder:
        """A membership cancelled weeks ago and renewed (charged) after the cancellation."""
        rng = self.rng
        name, fee = rng.choice(T.MEMBERSHIPS)
        cancelled = (t0 - timedelta(days=rng.uniform(12, 40))).replace(microsecond=0)
        started = cancelled - timedelta(days=rng.randrange(200, 700))
        order = DemoOrder(
            id=self._order_id(),
            customer=customer,
            kind="subscription",
            items=[{"name": name, "qty": 1, "price": fee}],
            value=Decimal(fee),
            status="cancelled",
            ordered_at=started,
            cancelled_at=cancelled,
            problem="billing_after_cancel",
        )
        self.orders.append(order)
        self._charge(order, cancelled - timedelta(days=rng.randrange(2, 25)), "renewal")
        self._charge(order, t0 - timedelta(days=rng.uniform(1, 8)), "renewal")  # the error
        return order

    def _charge(self, order: DemoOrder, at: datetime, what: str = "payment") -> None:
        description = f"{what} for order {order.id}"
        self.charges.append(
            DemoCharge(order.id, order.value, at.replace(microsecond=0), description)
        )

    def _order_id(self) -> str:
        while True:
            rng = self.rng
            order_id = (
                f"11{rng.randrange(1, 5)}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
            )
            if order_id not in self._order_ids:
                self._order_ids.add(order_id)
                return order_id


def _tracking(rng: random.Random, carrier: str) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(22))
    alnum = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    return {"UPS": "1Z" + alnum, "USPS": "94" + digits[:20], "FedEx": digits[:12]}.get(
        carrier, "SNL" + digits[:10]
    )
