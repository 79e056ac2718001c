"""Bulk claim, assign and close on SQLite and PostgreSQL: each case checked on its own, each
refusal reported with its reason, every change audited, a repeated submission harmless."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from casework import make_case, make_user
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.bulk import bulk_cases
from monitor.cases.resolutions import PENDING
from monitor.db.models import AuditEntry, Case, Resolution
from monitor.errors import UserFacingError
from monitor.submissions import new_key


@pytest.fixture
def team(session: Session) -> dict[str, object]:
    actors = {name: make_user(session, name, role) for name, role in (
        ("ann", "agent"), ("bob", "agent"), ("sue", "senior"), ("ada", "analyst"))}  # fmt: skip
    free = make_case(session, "parcel lost", 80, author="a")
    bobs = make_case(session, "refund missing", 70, author="b")
    bobs.assignee_id = actors["bob"].user_id
    anns = make_case(session, "login broken", 60, author="c")
    anns.assignee_id = actors["ann"].user_id
    session.commit()
    return {**actors, "free": free.id, "bobs": bobs.id, "anns": anns.id}


def _column(session: Session, column: Any) -> dict[int, Any]:
    """The column of every case, as the database holds it now."""
    return {case_id: value for case_id, value in session.execute(select(Case.id, column))}


def _audited(session: Session, action: str) -> list[str]:
    rows = session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == action))
    return sorted(rows)


def test_claim_each_case_or_say_why_not(
    sessions: sessionmaker[Session], session: Session, team: dict
) -> None:
    ids = [team["free"], team["bobs"], team["anns"]]
    result = bulk_cases(sessions, team["ann"], "claim", ids, key=new_key())

    assert result.done == [team["free"], team["anns"]]
    [refused] = result.refused
    assert refused.case_id == team["bobs"] and "already claimed by bob" in refused.message
    assert result.summary() == "Claimed 2 of 3 cases; 1 not changed (see below)."
    owners = _column(session, Case.assignee_id)
    assert owners[team["free"]] == team["ann"].user_id
    assert owners[team["bobs"]] == team["bob"].user_id
    assert _audited(session, "case.claim") == [str(team["free"])]


def test_an_agent_may_only_take_unowned_cases_a_senior_may_move_any(
    sessions: sessionmaker[Session], session: Session, team: dict
) -> None:
    ids = [team["free"], team["bobs"]]
    agent = bulk_cases(sessions, team["ann"], "assign", ids, key=new_key(), assignee="bob")
    assert agent.done == []
    assert all("case assign" in o.message and "senior" in o.message for o in agent.refused)

    senior = bulk_cases(sessions, team["sue"], "assign", ids, key=new_key(), assignee="ann")
    assert senior.done == ids and not senior.refused
    owners = _column(session, Case.assignee_id)
    assert owners[team["free"]] == owners[team["bobs"]] == team["ann"].user_id
    assert _audited(session, "case.assign") == sorted(str(i) for i in ids)


def test_close_refuses_others_cases_and_money_waiting_for_approval(
    sessions: sessionmaker[Session], session: Session, team: dict
) -> None:
    pending = make_case(session, "refund me $900", 90, author="d")
    session.add(
        Resolution(
            case_id=pending.id, action="refund", amount=Decimal("900.00"), status=PENDING,
            requested_by=team["ann"].user_id, idempotency_key=new_key(),
        )
    )  # fmt: skip
    session.commit()
    ids = [team["free"], team["bobs"], team["anns"], pending.id]

    result = bulk_cases(sessions, team["ann"], "close", ids, key=new_key())

    assert result.done == [team["free"], team["anns"]]
    why = {o.case_id: o.message for o in result.refused}
    assert "bob owns it" in why[team["bobs"]]
    assert "waiting for approval" in why[pending.id]
    statuses = _column(session, Case.status)
    assert statuses[team["free"]] == statuses[team["anns"]] == "closed"
    assert statuses[team["bobs"]] == "new" and statuses[pending.id] == "new"
    assert _audited(session, "case.status") == sorted([str(team["free"]), str(team["anns"])])

    again = bulk_cases(sessions, team["sue"], "close", [team["free"], team["bobs"]], key=new_key())
    assert again.done == [team["bobs"]]  # a senior may close someone else's case
    assert again.refused[0].message == "already closed"


def test_a_read_only_role_is_refused_case_by_case(
    sessions: sessionmaker[Session], session: Session, team: dict
) -> None:
    for action in ("claim", "close"):
        result = bulk_cases(sessions, team["ada"], action, [team["free"], team["anns"]],
                            key=new_key())  # fmt: skip
        assert result.done == []
        assert [o.case_id for o in result.refused] == [team["free"], team["anns"]]
        assert all("analyst" in o.message for o in result.refused)
    assert session.scalars(select(AuditEntry).where(AuditEntry.action.like("case.%"))).all() == []


def test_the_same_submission_twice_changes_nothing_more(
    sessions: sessionmaker[Session], session: Session, team: dict
) -> None:
    key = new_key()
    first = bulk_cases(sessions, team["sue"], "close", [team["free"], team["bobs"]], key=key)
    second = bulk_cases(sessions, team["sue"], "close", [team["free"], team["bobs"]], key=key)

    assert first.done == second.done == [team["free"], team["bobs"]]
    assert {o.message for o in second.outcomes} == {"already done by this submission"}
    assert len(_audited(session, "case.status")) == 2


def test_a_failed_sign_in_check_stops_the_selection(
    sessions: sessionmaker[Session], session: Session, team: dict
) -> None:
    def signed_out(_: Session) -> None:
        raise UserFacingError("nothing was done: your sign-in has ended")

    result = bulk_cases(sessions, team["ann"], "claim", [team["free"], team["anns"]],
                        key=new_key(), check=signed_out)  # fmt: skip
    assert [(o.case_id, o.done) for o in result.outcomes] == [(team["free"], False)]
    assert _column(session, Case.assignee_id)[team["free"]] is None


def test_bad_selections_are_refused_whole(sessions: sessionmaker[Session], team: dict) -> None:
    with pytest.raises(UserFacingError, match="no cases selected"):
        bulk_cases(sessions, team["ann"], "claim", [], key=new_key())
    with pytest.raises(UserFacingError, match="choose who"):
        bulk_cases(sessions, team["sue"], "assign", [team["free"]], key=new_key())
    with pytest.raises(UserFacingError, match="unknown bulk action"):
        bulk_cases(sessions, team["sue"], "delete", [team["free"]], key=new_key())  # type: ignore[arg-type]
