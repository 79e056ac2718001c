"""Money in the tables must match money in the audit log, both ways.

A chain that verifies only proves the log was not changed; it says nothing about a resolution
or ledger payment written straight into the database, or an audit entry forged for a decision
that never happened. This check holds every resolution and ledger row against its entries:
requested (amount, currency, order), decided (by whom), executed (reference), paid (ledger).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String, cast, exists, select
from sqlalchemy.orm import Session

from monitor.db.models import AuditEntry, LedgerEntry, Resolution, User
from monitor.vocab import ResolutionStatus

REQUEST, APPROVE, REJECT, EXECUTE = (
    "resolution.request",
    "resolution.approve",
    "resolution.reject",
    "resolution.execute",
)
_DECIDED = {
    ResolutionStatus.APPROVED: APPROVE,
    ResolutionStatus.EXECUTED: APPROVE,
    ResolutionStatus.REJECTED: REJECT,
}


def money_fields(resolution: Resolution) -> dict[str, Any]:
    """What every audit entry of a resolution carries, so the log alone accounts for money."""
    return {
        "action": resolution.action,
        "amount": None if resolution.amount is None else str(resolution.amount),
        "currency": resolution.currency,
        "order_id": resolution.order_id,
    }


@dataclass(frozen=True)
class MoneyProblem:
    entry_id: int | None  # the audit entry at fault, when there is one
    message: str


def _amount(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


def _check_resolution(
    r: Any, entries: Sequence[Any], decider: str | None, ledger: Sequence[Any]
) -> MoneyProblem | None:
    label = f"resolution {r.id} ({r.action} {r.amount or ''} {r.currency})".replace("  ", " ")
    by_action: dict[str, list[Any]] = defaultdict(list)
    for entry in entries:
        by_action[entry.action].append(entry)
    requests = by_action[REQUEST]
    if not requests:
        return MoneyProblem(None, f"{label} has no {REQUEST} entry: it was written outside the "
                            "application or its audit entries were removed")  # fmt: skip
    after = requests[0].after or {}
    recorded = (after.get("action"), _amount(after.get("amount")), after.get("order_id"))
    if recorded != (r.action, r.amount, r.order_id) or after.get("currency", r.currency) != (
        r.currency
    ):
        return MoneyProblem(
            requests[0].id,
            f"{label} does not match its request entry ({recorded[0]} {recorded[1]} "
            f"{after.get('currency', '')}, order {recorded[2]}): the resolution was changed",
        )
    decisions = sorted(by_action[APPROVE] + by_action[REJECT], key=lambda e: e.id)
    if len(decisions) > 1:
        return MoneyProblem(decisions[1].id, f"{label} was decided {len(decisions)} times")
    expected = _DECIDED.get(r.status) if r.decided_by is not None else None
    if decisions and (expected is None or decisions[0].action != expected):
        return MoneyProblem(
            decisions[0].id,
            f"entry records {decisions[0].action} but {label} is {r.status}"
            + (" without an approver" if r.decided_by is None else "")
            + ": forged or the resolution was changed",
        )
    if expected is not None and not decisions:
        return MoneyProblem(None, f"{label} is {r.status} by {decider} with no audit entry")
    if decisions and decisions[0].actor != decider:
        return MoneyProblem(
            decisions[0].id,
            f"entry says {decisions[0].actor} decided {label}, the table says {decider}",
        )
    executions = by_action[EXECUTE]
    if len(executions) > 1:
        return MoneyProblem(executions[1].id, f"{label} was carried out {len(executions)} times")
    if executions and r.status != ResolutionStatus.EXECUTED:
        return MoneyProblem(executions[0].id, f"entry records {label} as carried out, "
                            f"but it is {r.status}")  # fmt: skip
    if r.status == ResolutionStatus.EXECUTED:
        if not executions:
            return MoneyProblem(None, f"{label} is executed with no {EXECUTE} entry")
        reference = str((executions[0].after or {}).get("reference", ""))[:100]
        if reference != (r.external_reference or ""):
            return MoneyProblem(
                executions[0].id,
                f"{label} has reference {r.external_reference!r} but its entry says {reference!r}",
            )
    if len(ledger) > 1:
        return MoneyProblem(None, f"{label} was paid {len(ledger)} times in the ledger")
    for paid in ledger:
        if r.status != ResolutionStatus.EXECUTED or (paid.amount, paid.currency) != (
            r.amount,
            r.currency,
        ):
            return MoneyProblem(
                None,
                f"ledger entry {paid.id} pays {paid.amount} {paid.currency} for {label}, "
                f"which is {r.status}",
            )
    return None


def _pages(session: Session, size: int) -> Iterator[Sequence[Any]]:
    last = 0
    while True:
        page = session.execute(
            select(
                Resolution.id, Resolution.action, Resolution.amount, Resolution.currency,
                Resolution.order_id, Resolution.status, Resolution.decided_by,
                Resolution.external_reference,
            )
            .where(Resolution.id > last)
            .order_by(Resolution.id)
            .limit(size)
        ).all()  # fmt: skip
        if not page:
            return
        yield page
        last = page[-1].id


def check_money(session: Session, *, page_size: int = 500) -> MoneyProblem | None:
    """The first mismatch between the money tables and the audit log, or None."""
    orphan = session.execute(
        select(AuditEntry.id, AuditEntry.entity_id)
        .where(
            AuditEntry.entity == "resolution",
            ~exists().where(cast(Resolution.id, String) == AuditEntry.entity_id),
        )
        .order_by(AuditEntry.id)
        .limit(1)
    ).first()
    if orphan is not None:
        return MoneyProblem(
            orphan.id, f"records resolution {orphan.entity_id}, which is missing from the table"
        )
    for page in _pages(session, page_size):
        ids = [r.id for r in page]
        entries: dict[str, list[Any]] = defaultdict(list)
        for entry in session.execute(
            select(AuditEntry.id, AuditEntry.action, AuditEntry.actor, AuditEntry.after,
                   AuditEntry.entity_id)
            .where(AuditEntry.entity == "resolution",
                   AuditEntry.entity_id.in_([str(i) for i in ids]))
            .order_by(AuditEntry.id)
        ):  # fmt: skip
            entries[entry.entity_id].append(entry)
        deciders = {r.decided_by for r in page if r.decided_by is not None}
        names = {
            user.id: user.username
            for user in session.execute(select(User.id, User.username).where(User.id.in_(deciders)))
        }
        ledger: dict[int, list[Any]] = defaultdict(list)
        for paid in session.execute(
            select(LedgerEntry.id, LedgerEntry.resolution_id, LedgerEntry.amount,
                   LedgerEntry.currency)
            .where(LedgerEntry.resolution_id.in_(ids))
        ):  # fmt: skip
            ledger[paid.resolution_id].append(paid)
        for r in page:
            problem = _check_resolution(
                r, entries[str(r.id)], names.get(r.decided_by), ledger[r.id]
            )
            if problem is not None:
                return problem
    return None
