"""Every page through AppTest, and the permission rule behind each button."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from casework import PASSWORD, link_author, make_case, make_customer, make_order, make_user, sign_in
from factories import T0
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.auth import accounts
from monitor.auth.permissions import PermissionDenied
from monitor.cases.order_system import LedgerOrderSystem, WebhookOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.replies import queue_reply
from monitor.cases.resolutions import request_resolution
from monitor.config import ClearanceSettings
from monitor.db.models import (
    AuditEntry,
    Case,
    CaseNote,
    CaseOrderLink,
    LedgerEntry,
    LoginSession,
    OrderCall,
    OutboxMessage,
    Resolution,
    SourceState,
    User,
)
from monitor.submissions import new_key

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
ORDER = "111-0000001-0000001"


@pytest.fixture
def case_id(session: Session) -> int:
    customer = make_customer(session)
    make_order(session, customer, ORDER, "650.00", item="Noise Cancelling Headphones")
    case = make_case(session, "my noise cancelling headphones never arrived, $650!", 88)
    link_author(session, case, customer)
    session.commit()
    return case.id


def open_page(app: AppTest, page: str, case: int | None = None) -> AppTest:
    if case is not None:
        app.session_state["case_id"] = case
    app.run()
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, app.exception
    return app


def keyed(widgets: Any, start: str, name: str = "") -> Any:
    """The one widget of a form by the form's name and the field's: its key also carries the
    form's current submission key, which changes after every success."""
    [found] = [w for w in widgets if str(w.key).startswith(start) and str(w.key).endswith(name)]
    return found


def texts(app: AppTest) -> str:
    """What the reader sees: Markdown escapes (dashboard/safe_text.py) removed."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [e.value for e in (*app.error, *app.success, *app.warning, *app.info)]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def test_login_gate_form_and_throttling(app: AppTest, session: Session) -> None:
    make_user(session, "ann", "agent")
    session.commit()
    app.run()
    assert app.title[0].value == "Escalation monitor" and not app.dataframe
    app.text_input(key="login_username").input("ann")
    app.text_input(key="login_password").input("wrong password!")
    app.button[0].click().run()
    assert "wrong username or password" in app.error[0].value
    app.text_input(key="login_password").input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception and app.title[0].value == "Queue"
    app.button(key="logout").click().run()
    assert app.session_state["auth_token"] is None  # the form shows again (see e2e test)
    session.expire_all()
    assert session.scalars(select(LoginSession.revoked)).all() == [True]
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    seen = []
    for _ in range(9):  # delays double from 1 s: the last tries come too fast
        app.text_input(key="login_username").input("ann")
        app.text_input(key="login_password").input("wrong password!")
        app.button[0].click().run()
        seen.append(app.error[0].value)
    assert "too many failed sign-ins" in seen[-1] and "wait" in seen[-1], seen
    assert not any("locked" in message for message in seen)
    logged = list(
        session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("login%")))
    )
    assert "login.throttled" in logged


def test_a_deactivated_users_open_page_cannot_act(app: AppTest, session: Session,
                                                  case_id: int) -> None:  # fmt: skip
    admin = make_user(session, "root", "admin")
    sign_in(app, session, "ann", "agent")
    app.run()
    assert app.title[0].value == "Queue"
    accounts.set_active(session, admin, "ann", False)
    session.commit()
    keyed(app.button, "claim_", "_queue").click().run()
    session.expire_all()
    assert session.get_one(Case, case_id).assignee_id is None  # the claim was refused
    assert app.title[0].value == "Escalation monitor"  # back at the sign-in form


def test_queue_open_and_claim(app: AppTest, session: Session, case_id: int) -> None:
    sign_in(app, session, "ann", "agent")
    app.run()
    keyed(app.button, "claim_", "_queue").click().run()
    assert "is yours" in app.success[0].value
    app.button(key="queue_open").click().run()
    assert not app.exception and app.title[0].value == "Case"
    assert "@userdana" in texts(app) and "Dana Reyes" in texts(app)


def test_case_page_notes_status_and_resolution(
    app: AppTest, session: Session, case_id: int
) -> None:
    agent = sign_in(app, session, "ann", "agent")
    link_order(session, agent, case_id, ORDER, key=new_key())
    session.commit()
    open_page(app, "case", case_id)
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")  # factor chart
    assert "Suggested: replacement $650.00" in texts(app)
    keyed(app.text_area, "note_", "_text").input("called the carrier")
    keyed(app.button, "note_", "_go").click().run()
    keyed(app.selectbox, "status_", "_status").select("open")
    keyed(app.button, "status_", "_go").click().run()
    keyed(app.number_input, "resolution_", "_amount").set_value(650.0)
    keyed(app.button, "FormSubmitter:resolution_", "Request resolution").click().run()
    assert not app.exception
    assert "is waiting for approval by a senior, supervisor or admin" in app.info[0].value
    assert not app.success  # pending is a neutral status, not a success
    assert "Waiting for approval" in texts(app)
    session.expire_all()
    assert session.scalars(select(CaseNote.text)).one() == "called the carrier"
    assert session.scalars(select(Resolution.status)).one() == "pending_approval"


def test_analyst_reads_but_cannot_work(app: AppTest, session: Session, case_id: int) -> None:
    analyst = sign_in(app, session, "al", "analyst")
    open_page(app, "case", case_id)
    assert "Read-only access" in app.info[0].value
    # Nothing the role may not do is offered: no claim, status, note, link, reply or request.
    assert not app.text_area and not app.number_input and not app.radio
    assert [w.key for w in app.selectbox] == ["case_pick"]
    assert [b.label for b in app.button] == ["Sign out"]
    assert "Dana Reyes" in texts(app) and "marked delivered" in texts(app)
    # The services refuse all the same.
    with pytest.raises(PermissionDenied, match="may not case work"):
        link_order(session, analyst, case_id, ORDER, key=new_key())
    with pytest.raises(PermissionDenied, match="may not case work"):
        queue_reply(session, analyst, case_id, "Hello", channel="public", key=new_key())
    session.rollback()
    assert session.scalars(select(CaseOrderLink)).first() is None
    assert session.scalars(select(OutboxMessage)).first() is None


def test_case_page_links_orders(app: AppTest, session: Session, case_id: int) -> None:
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", case_id)
    assert "marked delivered" in texts(app) and "is linked to customer Dana Reyes" in texts(app)
    keyed(app.button, f"link_{case_id}_{ORDER}_").click().run()
    assert f"Order {ORDER} linked" in app.success[0].value
    assert "Linked orders (1)" in texts(app)
    keyed(app.button, "unlink_").click().run()
    assert "unlinked" in app.success[0].value
    app.text_input(key=f"order_query_{case_id}").input("dana").run()
    keyed(app.button, f"link_{case_id}_{ORDER}_").click().run()
    session.expire_all()
    assert session.scalars(select(CaseOrderLink.order_id)).one() == ORDER


def test_case_page_reply_checks_and_outbox(app: AppTest, session: Session, case_id: int) -> None:
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", case_id)
    keyed(app.text_area, "reply_", "_text").input("Please DM us your password").run()
    assert "never ask for a password" in app.error[0].value
    keyed(app.button, "reply_", "_send").click().run()
    assert "reply not queued" in app.error[0].value
    keyed(app.text_area, "reply_", "_text").input("Your refund of $650.00 is on its way").run()
    assert "Move to DM" in app.warning[0].value
    keyed(app.button, "reply_", "_send").click().run()
    assert "confirm before sending" in app.error[0].value
    keyed(app.checkbox, "reply_", "_confirm").check()
    keyed(app.button, "reply_", "_send").click().run()
    assert "Reply queued" in app.success[0].value
    app.selectbox(key=f"reply_template_{case_id}").select("Move to DM")
    app.button(key=f"reply_use_template_{case_id}").click().run()
    assert str(keyed(app.text_area, "reply_", "_text").value).startswith("Hi @userdana")
    session.expire_all()
    assert session.scalars(select(OutboxMessage.status)).one() == "queued"


def pending_refund(session: Session, case_id: int) -> int:
    agent = make_user(session, "ann", "agent")
    link_order(session, agent, case_id, ORDER, key=new_key())
    outcome = request_resolution(
        session, agent, case_id, "refund", amount=Decimal(650), order_id=ORDER,
        policy=ClearanceSettings(), order_system=LedgerOrderSystem(session), key=new_key(),
    )  # fmt: skip
    session.commit()
    return outcome.resolution.id


def test_approvals_page(app: AppTest, session: Session, case_id: int) -> None:
    rid = pending_refund(session, case_id)
    sign_in(app, session, "sue", "supervisor")
    open_page(app, "approvals")
    assert f"#{rid} refund $650.00" in texts(app)
    app.button(key=f"reject_{rid}").click().run()
    assert "say why" in app.error[0].value
    app.button(key=f"approve_{rid}").click().run()
    assert "carried out" in app.success[0].value
    session.expire_all()
    assert session.scalars(select(LedgerEntry.amount)).one() == Decimal("650.00")
    assert "Nothing is waiting" in app.info[0].value


def test_requester_cannot_approve_own_on_the_page(
    app: AppTest, session: Session, case_id: int
) -> None:
    rid = pending_refund(session, case_id)
    session.get_one(User, 1).role = "senior"  # ann is promoted after asking
    session.commit()
    sign_in(app, session, "ann", "senior")
    open_page(app, "approvals")
    assert "your own request: someone else approves it" in texts(app)
    assert not [b for b in app.button if b.key in (f"approve_{rid}", f"reject_{rid}")]


def test_agent_has_no_approval_or_admin_pages(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ann", "agent")
    app.run()
    for page in ("users", "approvals"):  # not registered for agents, so not reachable
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"views/{page}.py")
    assert not app.exception
    assert app.title[0].value == "Queue"  # still on the agent's own page


def test_connectors_page(app: AppTest, session: Session) -> None:
    session.add(
        SourceState(
            name="x-main", platform="x", healthy=False, last_error="401 Unauthorized",
            lag_seconds=306.6313,
            last_error_at=T0, last_success_at=T0 - timedelta(hours=3), items_last_poll=0,
            token_expires_at=T0 - timedelta(days=1),
        ),
    )  # fmt: skip
    session.add(
        SourceState(
            name="x-support", platform="x", healthy=True, last_success_at=T0,
            items_last_poll=200, rate_limit_remaining=441, rate_limit_limit=450,
            rate_limit_reset_at=T0 + timedelta(minutes=12), catching_up_since=T0,
            backlog=1800,
        )
    )  # fmt: skip
    session.commit()
    sign_in(app, session, "al", "analyst")
    open_page(app, "connectors")
    frame = app.dataframe[0].value
    assert frame["Source"].tolist() == ["x-main", "x-support"]
    assert "failing" in frame["State"].iloc[0]
    assert frame["Lag"].tolist() == ["5 min 7 s", "-"]  # not "306.6313"
    assert "token has expired" in frame["Problems"].iloc[0]
    assert frame["Backlog"].iloc[1] == "catching up: about 1800 posts behind"
    assert frame["Rate-limit budget"].iloc[1].startswith("441/450 until ")


def test_users_page_admin_only_actions(app: AppTest, session: Session) -> None:
    sign_in(app, session, "root", "admin")
    open_page(app, "users")
    app.text_input(key="user_new_name").input("bob")
    app.text_input(key="user_new_password").input("long enough password")
    app.button(key="FormSubmitter:user_add-Add user").click().run()
    assert "Added agent bob" in app.success[0].value
    app.selectbox(key="user_pick").select("bob")
    app.selectbox(key="user_role").select("supervisor")
    app.button(key="user_set_role").click().run()
    assert "bob is now supervisor" in app.success[0].value
    app.button(key="audit_verify").click().run()
    assert "chain intact" in app.success[0].value
    session.expire_all()
    assert session.scalars(select(User.role).where(User.username == "bob")).one() == "supervisor"


def test_case_page_teaches_the_model(app: AppTest, session: Session, case_id: int) -> None:
    from monitor.db.models import ModelFeedback

    sign_in(app, session, "ann", "agent")
    open_page(app, "case", case_id)
    shown = "\n".join(str(t.value) for t in app.text)
    assert "Topics:" in shown and "Language: English" in shown
    app.selectbox(key=f"case_right_intent_{case_id}").select("account_security")
    app.button(key=f"case_correct_intent_{case_id}").click().run()
    assert not app.exception and "Intent set to account security" in app.success[0].value
    app.button(key=f"case_more_urgent_{case_id}").click().run()
    assert "more urgent" in app.success[0].value
    session.expire_all()
    stored = session.scalars(select(ModelFeedback).order_by(ModelFeedback.id)).all()
    assert [(f.kind, f.intent, f.urgency_direction) for f in stored] == [
        ("intent", "account_security", None), ("urgency", None, 1),
    ]  # fmt: skip
    shown = "\n".join(str(t.value) for t in app.text)
    assert "ann: intent is account security" in shown and "ann: more urgent than 88" in shown


def test_order_linking_withholds_another_customers_quoted_order(
    app: AppTest, session: Session, case_id: int
) -> None:
    stranger = make_case(session, f"refund {ORDER} to me now", 95, author="mallory")
    session.commit()
    sign_in(app, session, "ann", "agent")
    open_page(app, "case", stranger.id)
    shown = texts(app) + "\n".join(str(t.value) for t in app.text)
    assert f"order number {ORDER} is quoted by the author, belongs to another customer" in shown
    assert "Dana" not in shown and "650" not in shown and "Headphones" not in shown
    assert not [b for b in app.button if str(b.key).startswith(f"link_{stranger.id}_")]


def test_case_page_shows_a_failed_reply_and_sends_it_again(
    app: AppTest, session: Session, case_id: int
) -> None:
    agent = sign_in(app, session, "ann", "agent")
    message = queue_reply(
        session, agent, case_id, "Sorry! Please DM us.", channel="public", key=new_key()
    )
    message.status, message.attempts, message.error = "failed", 5, "gave up after 5 attempts"
    session.commit()
    open_page(app, "case", case_id)
    assert f"Reply #{message.id} failed for good." in [e.value for e in app.error]
    assert any("gave up after 5 attempts" in str(t.value) for t in app.text)
    keyed(app.button, f"resend_{message.id}_").click().run()
    assert "Reply queued again." in app.success[0].value
    session.expire_all()
    assert session.get_one(OutboxMessage, message.id).status == "queued"
    assert session.scalars(select(AuditEntry.action)).all()[-1] == "reply.requeue"


def test_failed_order_system_call_is_retried_from_the_case_page_with_clearance(
    app: AppTest, session: Session, case_id: int
) -> None:
    senior = make_user(session, "sid", "senior")  # a $650 order needs a senior or above
    link_order(session, senior, case_id, ORDER, key=new_key())
    outcome = request_resolution(
        session, senior, case_id, "refund", amount=Decimal(40), order_id=ORDER, key=new_key(),
        policy=ClearanceSettings(), order_system=WebhookOrderSystem("http://127.0.0.1:9/x"),
    )  # fmt: skip
    call = session.scalars(select(OrderCall)).one()
    call.status, call.attempts, call.error = "failed", 5, "gave up after 5 attempts: HTTP 503"
    session.commit()
    rid = outcome.resolution.id

    sign_in(app, session, "ann", "agent")
    open_page(app, "case", case_id)
    assert f"#{rid}: the order system did not carry it out." in [e.value for e in app.error]
    assert not [b for b in app.button if str(b.key).startswith(f"retry_{rid}_")]  # no clearance

    sign_in(app, session, "sue", "supervisor")
    open_page(app, "case", case_id)
    keyed(app.button, f"retry_{rid}_").click().run()
    assert f"#{rid} retried" in app.success[0].value
    session.expire_all()
    assert session.get_one(OrderCall, call.id).status == "queued"
    assert session.scalars(select(AuditEntry.actor)).all()[-1] == "sue"
    assert session.scalars(select(AuditEntry.action)).all()[-1] == "resolution.retry"


def test_reply_of_unknown_fate_is_checked_then_recorded_as_posted(
    app: AppTest, session: Session, case_id: int
) -> None:
    agent = sign_in(app, session, "ann", "agent")
    message = queue_reply(
        session, agent, case_id, "Sorry! Please DM us.", channel="public", key=new_key()
    )
    message.status, message.attempts = "unknown", 1
    session.commit()
    open_page(app, "case", case_id)
    assert "Check the platform before sending it again" in app.warning[0].value
    keyed(app.button, f"resend_{message.id}_", "_posted").click().run()
    assert "Reply recorded as posted." in app.success[0].value
    session.expire_all()
    assert session.get_one(OutboxMessage, message.id).status == "sent"
    assert session.scalars(select(AuditEntry.action)).all()[-1] == "reply.confirm_posted"


def test_users_page_unlocks_and_resets_a_password(app: AppTest, session: Session) -> None:
    from monitor.auth import accounts, throttle
    from monitor.config import AuthSettings
    from monitor.db.models import AuditEntry, LoginSession
    from monitor.db.types import utcnow

    strict = AuthSettings(account_free_failures=2)
    sign_in(app, session, "root", "admin")
    bob = make_user(session, "bob", "agent")
    accounts.start_session(session, accounts.get_user(session, "bob"), strict)  # type: ignore[arg-type]
    for n in range(3):  # guessed from several addresses: bob must wait, wherever he is
        accounts.authenticate(session, "bob", "wrong password!", strict, client=f"192.0.2.{n}")
    session.commit()
    assert throttle.wait_seconds(session, "198.51.100.1", "bob", strict, utcnow()) > 0
    open_page(app, "users")
    app.selectbox(key="user_pick").select("bob")
    app.button(key="user_unlock").click().run()
    assert "bob is unlocked" in app.success[0].value
    session.expire_all()
    assert throttle.wait_seconds(session, "198.51.100.1", "bob", strict, utcnow()) == 0

    new = "a fresh passphrase 7"
    app.selectbox(key="user_pick").select("bob")
    app.text_input(key="user_reset_password").input(new)
    app.text_input(key="user_reset_repeat").input(new + "x")
    app.button(key="FormSubmitter:user_password-Set password").click().run()
    assert "differ" in app.error[0].value
    session.expire_all()
    assert not accounts.authenticate(session, "bob", new, strict).ok
    session.commit()

    app.selectbox(key="user_pick").select("bob")
    app.text_input(key="user_reset_password").input(new)
    app.text_input(key="user_reset_repeat").input(new)
    app.button(key="FormSubmitter:user_password-Set password").click().run()
    assert "New password set for bob" in app.success[0].value
    session.expire_all()
    assert accounts.authenticate(session, "bob", new, strict).ok
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor == "root").order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["user.unlock", "user.password"]
    bob_sessions = session.scalars(select(LoginSession).where(LoginSession.user_id == bob.user_id))
    assert [s.revoked for s in bob_sessions] == [True]
