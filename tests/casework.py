"""Builders for the case-work tests: users with known passwords, customers, orders, charges."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from factories import T0, add_scored_post
from sqlalchemy.orm import Session

from monitor.auth.accounts import actor_for, create_user
from monitor.auth.permissions import SYSTEM, Actor
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import request_resolution
from monitor.config import ClearanceSettings
from monitor.db.models import Author, Case, Charge, Customer, Order, Post
from monitor.submissions import new_key

PASSWORD = "correct horse battery"


def make_user(session: Session, username: str, role: str) -> Actor:
    return actor_for(create_user(session, SYSTEM, username, PASSWORD, role))


def make_customer(session: Session, name: str = "Dana Reyes", handle: str = "dana") -> Customer:
    customer = Customer(
        name=name,
        email=f"{handle}@example.com",
        phone="+1 202-555-0143",
        x_handle=handle,
        created_at=T0 - timedelta(days=400),
    )
    session.add(customer)
    session.flush()
    return customer


def make_order(
    session: Session,
    customer: Customer,
    order_id: str,
    value: str,
    *,
    status: str = "delivered",
    item: str = "Noise Cancelling Headphones",
    days_ago: float = 5,
    **extra: Any,
) -> Order:
    ordered = T0 - timedelta(days=days_ago)
    order = Order(
        id=order_id,
        customer_id=customer.id,
        items=[{"name": item, "qty": 1, "price": value}],
        value=Decimal(value),
        status=status,
        ordered_at=ordered,
        delivered_at=ordered + timedelta(days=2) if status == "delivered" else None,
        **extra,
    )
    session.add(order)
    session.add(Charge(order_id=order_id, amount=Decimal(value), charged_at=ordered))
    session.flush()
    return order


def make_case(
    session: Session, text: str, urgency: float = 80, *, author: str = "dana", **kw: Any
) -> Case:
    """A scored post by @user<author>, its case, and the author linked to a customer if one
    has that handle."""
    post: Post = add_scored_post(
        session, f"p-{author}-{urgency}", text, urgency, author=author, **kw
    )
    assert post.case is not None
    return post.case


def link_author(session: Session, case: Case, customer: Customer) -> None:
    author = session.get_one(Author, case.author_id)
    author.customer_id = customer.id
    session.flush()


def sign_in(app: Any, session: Session, username: str, role: str) -> Actor:
    """Sign an AppTest in without the form: a real login session, its token in session state."""
    from monitor.auth.accounts import get_user, start_session
    from monitor.config import AuthSettings

    user = get_user(session, username)
    actor = make_user(session, username, role) if user is None else None
    user = get_user(session, username)
    assert user is not None
    token = start_session(session, user, AuthSettings())
    session.commit()
    app.session_state["auth_token"] = token
    return actor or actor_for(user)


def shipped_templates() -> dict[str, str]:
    """The reply templates the migration seeds every database with (name -> text)."""
    import importlib.util

    versions = Path(__file__).resolve().parents[1] / "monitor" / "db" / "migrations" / "versions"
    [path] = versions.glob("*_reply_templates.py")
    spec = importlib.util.spec_from_file_location("seeded_templates", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.SEED)


def ask_refund(session: Session, agent: Actor, amount: str, order_value: str = "650.00") -> int:
    """A pending refund of `amount` by `agent` on a new case with its own order and customer."""
    customer = make_customer(session, handle=f"c{amount.replace('.', '')}")
    order = f"111-{amount.replace('.', '').zfill(7)}-0000001"
    make_order(session, customer, order, order_value)
    case = make_case(session, f"refund me {amount}", 80, author=customer.x_handle or "x")
    link_author(session, case, customer)
    link_order(session, agent, case.id, order, key=new_key())
    outcome = request_resolution(
        session, agent, case.id, "refund", amount=Decimal(amount), order_id=order,
        policy=ClearanceSettings(), order_system=LedgerOrderSystem(session), key=new_key(), now=T0,
    )  # fmt: skip
    session.commit()
    assert outcome.resolution.status == "pending_approval"
    return outcome.resolution.id
