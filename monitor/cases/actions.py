"""Working a case: claim, assign, change status, write internal notes.

Claiming is an `UPDATE ... WHERE assignee_id IS NULL` with a row-count check, so two agents
clicking "claim" at once cannot both get the case. Each change carries its form's submission
key (`monitor.submissions`), so a repeated submission does nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor import submissions
from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.db.engine import rows_changed
from monitor.db.models import Case, CaseNote, User
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.vocab import DONE_CASE_STATUSES, CaseStatus, Permission, Role


class CaseActionError(UserFacingError):
    """The case cannot be changed as asked; the message says why."""


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseActionError(f"no case {case_id}")
    return case


def claim_case(session: Session, actor: Actor, case_id: int, *, key: str) -> Case:
    require(actor, Permission.CASE_WORK)
    if actor.user_id is None:
        raise CaseActionError("only a signed-in user can claim a case")
    submissions.check(session, key)
    claimed = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.assignee_id.is_(None))
        .values(assignee_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    case = _case(session, case_id)
    session.refresh(case)
    if rows_changed(claimed) != 1:
        if case.assignee_id == actor.user_id:
            return case
        owner = session.get(User, case.assignee_id) if case.assignee_id else None
        raise CaseActionError(
            f"case {case_id} is already claimed by {owner.username if owner else 'someone'}"
        )
    submissions.begin(session, key, "case.claim", actor, case_id=case_id)
    audit.record(session, actor, "case.claim", "case", case_id, after={"assignee": actor.username})
    submissions.finish(session, key, f"case {case_id} claimed by {actor.username}")
    return case


def assign_case(
    session: Session, actor: Actor, case_id: int, username: str | None, *, key: str
) -> Case:
    """Give a case to someone (or nobody). Taking an unowned case yourself only needs
    `case.work`; moving anyone else's needs `case.assign`."""
    require(actor, Permission.CASE_WORK)
    case = _case(session, case_id)
    user = None
    if username:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            raise CaseActionError(f"no active user named {username!r}")
        if user.role == Role.ANALYST:
            raise CaseActionError("analysts read and export only: assign an agent or above")
    taking_over = case.assignee_id not in (None, actor.user_id)
    if user is None or user.id != actor.user_id or taking_over:
        require(actor, Permission.CASE_ASSIGN)
    submissions.check(session, key)
    submissions.begin(session, key, "case.assign", actor, case_id=case_id)
    before = case.assignee_id
    case.assignee_id = user.id if user else None
    audit.record(
        session, actor, "case.assign", "case", case_id,
        before={"assignee_id": before}, after={"assignee_id": case.assignee_id},
    )  # fmt: skip
    submissions.finish(session, key, f"case {case_id} assigned to {username or 'nobody'}")
    return case


def set_status(
    session: Session,
    actor: Actor,
    case_id: int,
    status: str,
    *,
    key: str,
    now: datetime | None = None,
) -> Case:
    require(actor, Permission.CASE_WORK)
    try:
        new = CaseStatus(status)
    except ValueError:
        raise CaseActionError(
            f"unknown status {status!r}: choose {', '.join(CaseStatus)}"
        ) from None
    submissions.check(session, key)
    case = _case(session, case_id)
    before = case.status
    if before == new:
        return case
    submissions.begin(session, key, "case.status", actor, case_id=case_id)
    case.status = new
    if new in DONE_CASE_STATUSES:
        case.resolved_at = case.resolved_at or now or utcnow()
        case.sla_due_at = None
    else:
        case.resolved_at = None
    audit.record(
        session, actor, "case.status", "case", case_id,
        before={"status": before}, after={"status": status},
    )  # fmt: skip
    submissions.finish(session, key, f"case {case_id} set to {status}")
    return case


def add_note(
    session: Session,
    actor: Actor,
    case_id: int,
    text: str,
    *,
    key: str,
    now: datetime | None = None,
) -> CaseNote:
    require(actor, Permission.CASE_WORK)
    if actor.user_id is None:
        raise CaseActionError("only a signed-in user can write notes")
    submissions.check(session, key)
    text = text.strip()
    if not text:
        raise CaseActionError("the note is empty")
    _case(session, case_id)
    submissions.begin(session, key, "case.note", actor, case_id=case_id)
    note = CaseNote(case_id=case_id, author_id=actor.user_id, text=text, created_at=now or utcnow())
    session.add(note)
    session.flush()
    audit.record(session, actor, "case.note", "case", case_id, after={"note_id": note.id})
    submissions.finish(session, key, f"note #{note.id} added")
    return note
