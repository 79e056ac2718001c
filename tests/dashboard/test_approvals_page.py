"""Approvals as a flow: the menu counts what waits for you, a notice announces each new
request once on any page, a request says why it waits in a neutral status, Approve shows
only where your clearance covers it, and each request opens its case."""

from __future__ import annotations

from casework import ask_refund, make_user, sign_in
from page_helpers import open_page, texts
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest


def menu(app: AppTest) -> list[str]:
    """The navigation titles as drawn (AppTest keeps the registered pages privately)."""
    return [str(page["page_name"]) for page in app._registered_pages.values()]


def test_count_and_one_notice_per_new_request(app: AppTest, session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    first = ask_refund(session, agent, "650.00")
    sign_in(app, session, "sue", "supervisor")
    app.run()
    assert "Approvals (1)" in menu(app)
    assert len(app.toast) == 1
    assert (
        f"Waiting for your approval: refund of $650.00 on case {_case(session, first)} (#{first})."
        in texts(app)
    )
    open_page(app, "connectors")  # another page: no repeated notice
    assert not app.toast and "Approvals (1)" in menu(app)
    second = ask_refund(session, agent, "2000.00", "2500.00")
    app.run()
    assert "Approvals (2)" in menu(app)
    assert len(app.toast) == 1
    assert f"refund of $2,000.00 on case {_case(session, second)} (#{second})." in texts(app)


def test_page_shows_why_and_only_the_buttons_you_may_use(app: AppTest, session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    small = ask_refund(session, agent, "650.00")
    large = ask_refund(session, agent, "2000.00", "2500.00")
    sign_in(app, session, "sam", "senior")
    app.run()
    assert "Approvals (1)" in menu(app)  # only the one a senior's clearance covers
    open_page(app, "approvals")
    shown = texts(app)
    assert "2 waiting, 1 of them for you." in shown
    assert "A refund of $650.00 is over the agent limit of $100.00." in shown
    assert "You cannot approve this: needs a supervisor or admin." in shown
    assert ":gray-badge[Waiting for approval]" in "".join(m.value for m in app.markdown)
    assert not app.success  # waiting is not a success
    keys = {b.key for b in app.button}
    assert f"approve_{small}" in keys and f"approve_{large}" not in keys


def test_an_approval_opens_its_case(app: AppTest, session: Session) -> None:
    rid = ask_refund(session, make_user(session, "ann", "agent"), "650.00")
    sign_in(app, session, "sue", "supervisor")
    open_page(app, "approvals")
    app.button(key=f"approval_case_{rid}").click().run()
    assert not app.exception
    assert app.session_state["case_id"] == _case(session, rid)
    assert "Case" in app.title[0].value
    shown = texts(app) + "\n".join(str(t.value) for t in app.text)
    assert "refund me 650.00" in shown  # the case's own thread


def _case(session: Session, resolution_id: int) -> int:
    from monitor.db.models import Resolution

    return session.get_one(Resolution, resolution_id).case_id
