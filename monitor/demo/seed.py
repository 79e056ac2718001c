"""Write the demo world to the database: customers, orders, charges, posts and author links.

The world itself comes from `monitor.sources.demo.generate_demo` (pure, no database); this
module is the only place that stores it. Every write is idempotent, so `monitor demo` can run
again on the same database without duplicating anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.cases.sla import SlaPolicy
from monitor.db.engine import rows_changed
from monitor.db.models import Author, Charge, Customer, Order
from monitor.ingest import store_posts
from monitor.sources.demo import DemoCustomer, DemoData, generate_demo


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
    """Write the demo world. The caller commits (`with transaction(factory) as session: ...`).

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
        summary.authors_linked += rows_changed(linked)
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
