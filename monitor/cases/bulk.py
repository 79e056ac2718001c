"""Claim, assign or close several cases at once, each checked and recorded on its own.

Each case runs in its own transaction through the same service as a single click (claim,
assign, status), so every rule and audit entry is the one a single case gets, and a case
that is refused (someone else's, waiting for an approval, a role that may not) does not stop
or undo the others. The submission key of the whole selection is extended by the case id,
so a repeated submission repeats nothing, case by case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor import submissions
from monitor.auth.permissions import Actor, allowed, require
from monitor.cases.actions import CaseActionError, assign_case, claim_case, set_status
from monitor.cases.resolutions import PENDING
from monitor.db.engine import transaction
from monitor.db.models import Case, Resolution, User
from monitor.errors import UserFacingError
from monitor.submissions import AlreadyDone
from monitor.vocab import CaseStatus, Permission

BulkAction = Literal["claim", "assign", "close"]
MAX_CASES = 500  # one selection; more is a mistake, not a plan


@dataclass(frozen=True)
class BulkOutcome:
    case_id: int
    done: bool
    message: str  # what was done, or why not


@dataclass(frozen=True)
class BulkResult:
    action: BulkAction
    outcomes: list[BulkOutcome]

    @property
    def done(self) -> list[int]:
        return [o.case_id for o in self.outcomes if o.done]

    @property
    def refused(self) -> list[BulkOutcome]:
        return [o for o in self.outcomes if not o.done]

    def summary(self) -> str:
        verb = {"claim": "Claimed", "assign": "Assigned", "close": "Closed"}[self.action]
        text = f"{verb} {len(self.done)} of {len(self.outcomes)} cases"
        if self.refused:
            text += f"; {len(self.refused)} not changed (see below)"
        return text + "."


def close_case(session: Session, actor: Actor, case_id: int, *, key: str) -> Case:
    """Close one case of a selection. Beyond the status change's own rules: a case someone
    else owns needs the right to reassign (senior and up), and a case with a resolution
    waiting for approval is decided first, so closing cannot hide money in flight."""
    require(actor, Permission.CASE_WORK)
    submissions.check(session, key)  # a repeat is told it was done, not why it would fail
    case = session.get(Case, case_id)
    if case is None:
        raise CaseActionError(f"no case {case_id}")
    if case.status == CaseStatus.CLOSED:
        raise CaseActionError("already closed")
    if case.assignee_id not in (None, actor.user_id) and not allowed(actor, Permission.CASE_ASSIGN):
        owner = session.get(User, case.assignee_id) if case.assignee_id else None
        raise CaseActionError(
            f"{owner.username if owner else 'someone else'} owns it: only its owner or a "
            "senior, supervisor or admin may close it"
        )
    waiting = session.scalars(
        select(Resolution.id).where(Resolution.case_id == case_id, Resolution.status == PENDING)
    ).first()
    if waiting is not None:
        raise CaseActionError(
            f"resolution #{waiting} is waiting for approval: have it decided before closing"
        )
    return set_status(session, actor, case_id, CaseStatus.CLOSED, key=key)


def bulk_cases(
    sessions: sessionmaker[Session],
    actor: Actor,
    action: BulkAction,
    case_ids: Sequence[int],
    *,
    key: str,
    assignee: str | None = None,
    check: Callable[[Session], None] | None = None,
) -> BulkResult:
    """Apply `action` to each case in its own transaction and report each outcome.

    `check` runs first in every transaction (the dashboard re-checks the sign-in there);
    when it refuses, nothing more is tried.
    """
    if action not in ("claim", "assign", "close"):
        raise UserFacingError(f"unknown bulk action {action!r}: choose claim, assign or close")
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        raise UserFacingError("no cases selected: tick the rows to change first")
    if len(ids) > MAX_CASES:
        raise UserFacingError(f"select at most {MAX_CASES} cases at once")
    if action == "assign" and not assignee:
        raise UserFacingError("choose who gets the cases")
    outcomes = []
    for case_id in ids:
        case_key = f"{key}:{case_id}"
        try:
            with transaction(sessions) as session:
                _check(check, session)
                message = _apply(session, actor, action, case_id, case_key, assignee)
        except _Stopped as stop:
            outcomes.append(BulkOutcome(case_id, False, str(stop)))
            break  # signed out or role changed: the rest would be refused the same way
        except AlreadyDone:
            outcomes.append(BulkOutcome(case_id, True, "already done by this submission"))
        except UserFacingError as exc:
            outcomes.append(BulkOutcome(case_id, False, str(exc)))
        else:
            outcomes.append(BulkOutcome(case_id, True, message))
    return BulkResult(action, outcomes)


class _Stopped(Exception):
    """The caller's check refused: stop the whole selection."""


def _check(check: Callable[[Session], None] | None, session: Session) -> None:
    if check is None:
        return
    try:
        check(session)
    except UserFacingError as exc:
        raise _Stopped(str(exc)) from exc


def _apply(
    session: Session,
    actor: Actor,
    action: BulkAction,
    case_id: int,
    key: str,
    assignee: str | None,
) -> str:
    if action == "claim":
        claim_case(session, actor, case_id, key=key)
        return f"claimed by {actor.username}"
    if action == "assign":
        assign_case(session, actor, case_id, assignee, key=key)
        return f"assigned to {assignee}"
    close_case(session, actor, case_id, key=key)
    return "closed"
