"""A customer's history: their other cases, on any of their accounts, with how each ended.

Care teams check "has this person written before, and what did we do?" before they answer,
so the case page lists the author's other cases and those of every account linked to the
same customer, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from monitor.cases.orders import case_customer
from monitor.cases.policy import ACTION_LABELS
from monitor.db.models import Author, Case, Resolution
from monitor.errors import UserFacingError
from monitor.vocab import Platform
from monitor.wording import money


@dataclass(frozen=True)
class PastCase:
    id: int
    platform: str
    handle: str
    opened_at: datetime
    status: str
    intent: str | None
    outcome: str  # the last resolution and its state, else whether we answered


def _outcome(case: Case, resolution: Resolution | None) -> str:
    if resolution is not None:
        amount = f" {money(resolution.amount)}" if resolution.amount else ""
        state = resolution.status.replace("_", " ")
        return f"{ACTION_LABELS.get(resolution.action, resolution.action)}{amount}: {state}"
    return "answered, no resolution" if case.first_response_at else "not answered"


def customer_history(session: Session, case_id: int, *, limit: int = 20) -> list[PastCase]:
    """Other cases of this case's author and of every author linked to the same customer."""
    case = session.get(Case, case_id)
    if case is None:
        raise UserFacingError(f"no case {case_id}")
    customer, _how = case_customer(session, case)
    same_person = [Author.id == case.author_id]
    if customer is not None:
        same_person.append(Author.customer_id == customer.id)
        if customer.x_handle:
            same_person.append(
                and_(Author.platform == Platform.X, Author.handle == customer.x_handle)
            )
        if customer.facebook_id:
            same_person.append(
                and_(
                    Author.platform == Platform.FACEBOOK, Author.external_id == customer.facebook_id
                )
            )
    rows = session.execute(
        select(Case, Author.handle)
        .join(Author, Author.id == Case.author_id)
        .where(or_(*same_person), Case.id != case_id)
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    ids = [past.id for past, _handle in rows]
    last: dict[int, Resolution] = {}
    for resolution in session.scalars(
        select(Resolution)
        .where(Resolution.case_id.in_(ids))
        .order_by(Resolution.requested_at, Resolution.id)
    ):
        last[resolution.case_id] = resolution
    return [
        PastCase(
            id=past.id, platform=past.platform, handle=handle, opened_at=past.opened_at,
            status=past.status, intent=past.intent, outcome=_outcome(past, last.get(past.id)),
        )
        for past, handle in rows
    ]  # fmt: skip
