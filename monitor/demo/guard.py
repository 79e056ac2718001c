"""Demo data and demo accounts stay in a database the demo created.

The demo's accounts share a password printed in the README, so they must never appear in a
real installation. A database is a demo database only if `monitor demo` found it empty and
marked it (`monitor_meta.demo_database`); anything else is somebody's real data.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cases import audit
from monitor.db.meta import get_meta, set_meta
from monitor.db.models import AuditEntry, Case, Customer, Order, Post, User
from monitor.db.types import utcnow
from monitor.errors import UserFacingError

DEMO_FLAG = "demo_database"
_CONTENT = (
    (User, "users"), (Customer, "customers"), (Order, "orders"), (Post, "posts"),
    (Case, "cases"), (AuditEntry, "audit entries"),
)  # fmt: skip


class DemoRefused(UserFacingError):
    """`monitor demo` was pointed at a database with real users or data."""


def is_demo_database(session: Session) -> bool:
    return get_meta(session, DEMO_FLAG) is not None


def existing_content(session: Session) -> str:
    """What the database already holds, e.g. '2 users, 40 posts'; '' when empty."""
    found = []
    for model, label in _CONTENT:
        count = int(session.scalar(select(func.count()).select_from(model)) or 0)
        if count:
            found.append(f"{count:,} {label}")
    return ", ".join(found)


def prepare_demo_database(session: Session, where: str, *, into_existing: bool) -> bool:
    """Decide whether the demo may write here; returns whether demo accounts may be created.

    An empty database becomes a demo database (marked, and audited); a demo database stays
    one. Any other database is refused, unless `into_existing` is given, and even then it gets
    demo customers, orders and posts but never the demo accounts.
    """
    if is_demo_database(session):
        return True
    content = existing_content(session)
    if not content:
        set_meta(session, DEMO_FLAG, utcnow().isoformat(timespec="seconds"))
        audit.record(session, "demo", "database.demo", "database", "demo", after={"by": "demo"})
        return True
    if not into_existing:
        raise DemoRefused(
            f"{where} already holds {content} and was not created by the demo, so `monitor "
            "demo` will not write into it. Run the demo on its own database (e.g. "
            "MONITOR_DATABASE_URL=sqlite:///var/demo.db monitor demo), or pass "
            "--into-existing-database to add demo customers, orders and posts here "
            "(demo accounts are never created in a database the demo did not create)."
        )
    return False
