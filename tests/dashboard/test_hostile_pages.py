"""Every page, opened by an admin on a case full of hostile text, draws no markup from it."""

from __future__ import annotations

import pytest
from casework import sign_in
from hostile_text import add_hostile_case, markup_problems, shown_text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

PAGES = [
    "queue",
    "case",
    "approvals",
    "connectors",
    "alerts",
    "impostors",
    "reports",
    "users",
]


def open_hostile(app: AppTest, session: Session, username: str, page: str) -> None:
    """Sign in as `username` (root: admin, ann: agent) and open `page` on the hostile case."""
    hostile = add_hostile_case(session)
    sign_in(app, session, username, "admin" if username == "root" else "agent")
    app.session_state["case_id"] = hostile.case_id
    app.run()
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, app.exception


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_hostile_text_as_text(app: AppTest, session: Session, page: str) -> None:
    open_hostile(app, session, "root", page)
    if page == "case":  # the order search box echoes the query back
        query = app.text_input(key=f"order_query_{app.session_state['case_id']}")
        query.input("hostile ![](https://evil.example/q.png)").run()
    problems = markup_problems(app)
    assert not problems, "\n".join(problems)
    seen = shown_text(app)
    if page in ("case", "queue"):
        assert "⟪U+202E⟫" in seen  # the override in the handle is visible, not obeyed
    if page in ("case", "impostors"):
        assert "ShopNowHe1pabc⟪U+202E⟫" in seen  # the impostor's handle, marked
    if page == "case":
        assert "ad⟪U+200B⟫min" in seen and "Approved by CFO" in seen and "# HUGE" in seen


def test_hostile_flash_messages_are_text(app: AppTest, session: Session) -> None:
    """A service error that quotes what the user typed is shown as text too."""
    open_hostile(app, session, "root", "users")
    app.text_input(key="user_new_name").input("ann")
    app.text_input(key="user_new_email").input("![](https://evil.example/e.png)")
    app.text_input(key="user_new_password").input("long enough password")
    app.button(key="FormSubmitter:user_add-Add user").click().run()
    assert app.error, "creating a second 'ann' must fail"
    assert not markup_problems(app)


def test_reply_template_leaves_out_a_hostile_handle(app: AppTest, session: Session) -> None:
    open_hostile(app, session, "ann", "case")
    case_id = app.session_state["case_id"]
    app.selectbox(key=f"reply_template_{case_id}").select("Looking into it").run()
    assert "not a valid x handle" in shown_text(app)
    app.button(key=f"reply_use_template_{case_id}").click().run()
    [box] = [w for w in app.text_area if str(w.key).startswith("reply_")]
    reply = str(box.value)
    assert reply.startswith("Thanks for your patience. We're checking")
    assert "evil" not in reply and "@" not in reply
    assert not markup_problems(app)
