"""Resolutions the evidence already justifies, proposed for one click.

When a linked order shows a clear error (a subscription charged after its cancellation, a
charge taken twice, a parcel marked delivered that the customer says is missing) the fitting
resolution is obvious; proposing it with its evidence saves a lookup and a typo. Whoever
clicks still goes through the clearance policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from monitor.cases.orders import MISSING_WORDS, billing_errors
from monitor.cases.policy import approver_roles
from monitor.config import ClearanceSettings
from monitor.db.models import Case, CaseOrderLink, Order, Post, Resolution
from monitor.vocab import ResolutionKind, ResolutionStatus


@dataclass(frozen=True)
class SuggestedResolution:
    action: ResolutionKind
    order_id: str | None
    amount: Decimal | None
    evidence: str
    reason: str  # prefilled reason for the request
    approvers: tuple[str, ...]  # roles whose clearance covers it


def suggest_resolutions(
    session: Session, case_id: int, policy: ClearanceSettings
) -> list[SuggestedResolution]:
    case = session.get(Case, case_id)
    if case is None:
        return []
    text = "\n".join(
        session.scalars(select(Post.text).where(Post.case_id == case_id, Post.inbound.is_(True)))
    )
    taken = {
        (order_id, action)
        for order_id, action in session.execute(
            select(Resolution.order_id, Resolution.action).where(
                Resolution.case_id == case_id, Resolution.status != ResolutionStatus.REJECTED
            )
        )
    }
    orders = session.scalars(
        select(Order)
        .options(selectinload(Order.charges))
        .where(Order.id.in_(select(CaseOrderLink.order_id).where(CaseOrderLink.case_id == case_id)))
        .order_by(Order.ordered_at.desc())
    ).all()
    found: list[SuggestedResolution] = []

    def propose(
        action: ResolutionKind, order: Order, amount: Decimal, evidence: str, reason: str
    ) -> None:
        if (order.id, action) in taken:
            return
        who = approver_roles(policy, action, amount, order.value)
        found.append(SuggestedResolution(action, order.id, amount, evidence, reason, who))

    for order in orders:
        for amount, evidence in billing_errors(order):
            propose(ResolutionKind.REFUND, order, amount, evidence, f"Billing error: {evidence}")
        # A refund already made or asked for on the order makes the customer whole: a
        # replacement on top of it would pay twice.
        made_whole = (order.id, ResolutionKind.REFUND) in taken
        if order.status == "delivered" and MISSING_WORDS.search(text) and not made_whole:
            when = f" on {order.delivered_at:%Y-%m-%d}" if order.delivered_at else ""
            evidence = f"marked delivered{when}; the customer says it never arrived"
            propose(
                ResolutionKind.REPLACEMENT,
                order,
                order.value,
                evidence,
                f"Delivered but missing: {evidence}",
            )
    if case.intent == "account_security" and (None, ResolutionKind.SECURITY_LOCK) not in taken:
        found.append(
            SuggestedResolution(
                ResolutionKind.SECURITY_LOCK,
                None,
                None,
                "the customer reports account security trouble (intent: account security)",
                "Protect the account while the security team checks it",
                approver_roles(policy, ResolutionKind.SECURITY_LOCK, None, None),
            )
        )
    return found
