"""The one-page case workspace under AppTest: switching cases, what each role is offered,
customer history, presence of colleagues, and human labels instead of stored keys."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from casework import link_author, make_case, make_customer, make_order, make_user, sign_in
from factories import T0, add_scored_post
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.presence import touch
from monitor.cases.resolutions import request_resolution
from monitor.config import ClearanceSettings
from monitor.db.models import Case, Resolution, Score
from monitor.db.types import utcnow
from monitor.submissions import new_key

ORDER, BIG = "111-0000001-0000001", "111-0000002-0001500"


def open_page(app: AppTest, page: str, case: int) -> AppTest:
    app.session_state["case_id"] = case
    app.run()
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, app.exception
    return app


def keyed(widgets: Any, start: str, name: str = "") -> Any:
    """A form's widget by the form's name and the field's (its key also carries the form's
    submission key)."""
    [found] = [w for w in widgets if str(w.key).startswith(start) and str(w.key).endswith(name)]
    return found


def texts(app: AppTest) -> str:
    """What the reader sees: Markdown escapes removed."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [e.value for e in (*app.error, *app.success, *app.warning, *app.info)]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def two_cases(session: Session) -> tuple[int, int]:
    customer = make_customer(session)
    make_order(session, customer, ORDER, "650.00")
    make_order(session, customer, BIG, "1500.00", item="Laptop")
    first = make_case(session, "my headphones never arrived, $650!", 88)
    link_author(session, first, customer)
    second = make_case(session, "someone logged into my account", 70, author="sam",
                       intent="account_security")  # fmt: skip
    first.status, second.status = "waiting", "new"
    first.intent = "delivery"
    session.commit()
    return first.id, second.id


def test_switching_cases_shows_each_cases_own_status(app: AppTest, session: Session) -> None:
    first, second = two_cases(session)
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", first)
    assert keyed(app.selectbox, f"status_{first}_", "_status").value == "waiting"
    app.selectbox(key="case_pick").select(second).run()
    assert not app.exception
    assert keyed(app.selectbox, f"status_{second}_", "_status").value == "new"
    assert not [w for w in app.selectbox if str(w.key).startswith(f"status_{first}_")]
    assert app.selectbox(key=f"case_right_intent_{second}").value == "account_security"
    # Update status on the second case changes the second case only.
    keyed(app.selectbox, f"status_{second}_", "_status").select("open")
    keyed(app.button, f"status_{second}_", "_go").click().run()
    app.selectbox(key="case_pick").select(first).run()
    assert keyed(app.selectbox, f"status_{first}_", "_status").value == "waiting"
    session.expire_all()
    assert session.get_one(Case, first).status == "waiting"
    assert session.get_one(Case, second).status == "open"


def pending(session: Session, case_id: int, amount: int, order: str = ORDER) -> int:
    agent = make_user(session, "ann", "agent")
    link_order(session, agent, case_id, order, key=new_key())
    outcome = request_resolution(
        session, agent, case_id, "refund", amount=Decimal(amount), order_id=order,
        policy=ClearanceSettings(), order_system=LedgerOrderSystem(session), key=new_key(),
    )  # fmt: skip
    session.commit()
    assert outcome.resolution.status == "pending_approval"
    return outcome.resolution.id


def test_each_role_sees_only_what_it_may_do(app: AppTest, session: Session) -> None:
    first, _second = two_cases(session)
    rid = pending(session, first, 1200, BIG)  # over a senior's limit: a supervisor decides

    sign_in(app, session, "ann", "agent")
    open_page(app, "case", first)
    labels = [b.label for b in app.button]
    assert "Claim" in labels and "Send reply" in labels and "Approve" not in labels
    assert not [w for w in app.selectbox if str(w.key).startswith(f"assign_{first}")]
    assert "Link author to customer" not in [b.label for b in app.button]
    assert "Waiting for approval" in texts(app) and "a supervisor or admin" in texts(app)
    assert not app.success  # pending is not a success

    sign_in(app, session, "sid", "senior")
    open_page(app, "case", first)
    assert "Approve" not in [b.label for b in app.button]  # needs a supervisor
    assert keyed(app.selectbox, f"assign_{first}_", "_who")  # seniors assign

    sign_in(app, session, "sue", "supervisor")
    open_page(app, "case", first)
    app.button(key=f"case_approve_{rid}").click().run()
    assert not app.exception and "carried out" in app.success[0].value
    session.expire_all()
    assert session.get_one(Resolution, rid).status == "executed"


def test_a_senior_approves_within_clearance_on_the_case(app: AppTest, session: Session) -> None:
    first, _second = two_cases(session)
    rid = pending(session, first, 120)  # over an agent's limit, within a senior's
    sign_in(app, session, "sid", "senior")
    open_page(app, "case", first)
    assert app.button(key=f"case_approve_{rid}").label == "Approve"
    app.button(key=f"case_reject_{rid}").click().run()
    assert "say why" in app.error[0].value
    app.text_input(key=f"case_decide_reason_{rid}").input("duplicate of the replacement")
    app.button(key=f"case_reject_{rid}").click().run()
    assert f"Resolution #{rid} rejected." in app.success[0].value
    session.expire_all()
    assert session.get_one(Resolution, rid).status == "rejected"


def test_history_lists_earlier_cases_and_opens_them(app: AppTest, session: Session) -> None:
    customer = make_customer(session)
    make_order(session, customer, ORDER, "650.00")
    old = make_case(session, "where is my parcel", 40)
    old.status, old.first_response_at = "closed", T0
    session.flush()
    agent = make_user(session, "ann", "agent")
    link_author(session, old, customer)
    link_order(session, agent, old.id, ORDER, key=new_key())
    request_resolution(
        session, agent, old.id, "refund", amount=Decimal(20), order_id=ORDER,
        policy=ClearanceSettings(), order_system=LedgerOrderSystem(session), key=new_key(),
    )  # fmt: skip
    # The same customer writes again, now on Facebook, as a numeric id with no name.
    fb = add_scored_post(session, "fb-1", "still nothing!", 80, author="100004567891234",
                         platform="facebook", kind="comment")  # fmt: skip
    assert fb.case is not None
    link_author(session, fb.case, customer)
    session.commit()
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", fb.case.id)
    shown = texts(app)
    assert "Earlier cases (1)" in shown
    frame = app.dataframe[0].value
    assert frame["Case"].tolist() == [f"#{old.id}"]
    assert frame["Status"].tolist() == ["closed"]
    assert frame["Outcome"].tolist() == ["refund $20.00: pending approval"]
    assert "on Facebook" in shown
    app.button(key=f"history_open_{fb.case.id}_{old.id}").click().run()
    assert not app.exception
    assert app.session_state["case_id"] == old.id
    assert keyed(app.selectbox, f"status_{old.id}_", "_status").value == "closed"


def test_colleagues_on_the_same_case_are_shown(app: AppTest, session: Session) -> None:
    first, _second = two_cases(session)
    bob = make_user(session, "bob", "agent")
    sue = make_user(session, "sue", "supervisor")
    touch(session, bob, first, typing=True)
    touch(session, sue, first, now=utcnow() - timedelta(minutes=5))  # left long ago
    session.commit()
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", first)
    [warning] = [w.value for w in app.warning if "answering this case" in w.value]
    assert "bob (agent) is writing a reply" in warning.replace("\\", "")
    assert "sue" not in warning


def test_labels_are_human(app: AppTest, session: Session) -> None:
    first, _second = two_cases(session)
    score = session.scalars(select(Score)).first()
    assert score is not None
    score.factors = {"time_pressure": 20.0, "negative": 30.0, "repeat_contact": 6.5}
    session.commit()
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", first)
    shown = texts(app)
    assert "on X" in shown and "on x " not in shown
    assert "time_pressure" not in shown and "repeat_contact" not in shown
    assert [m.label for m in app.metric] == ["Urgency", "SLA", "Status"]
    assert app.metric[2].value == "Waiting"
