"""The Reply templates page: an admin edits a template and the composer offers the new text;
an unsafe template is refused with its reasons; other roles have no such page."""

from __future__ import annotations

import pytest
from casework import link_author, make_case, make_customer, sign_in
from page_helpers import keyed, open_page, texts
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.db.models import AuditEntry, ReplyTemplate


@pytest.fixture
def case_id(session: Session) -> int:
    customer = make_customer(session)
    case = make_case(session, "my refund never arrived", 70)
    link_author(session, case, customer)
    session.commit()
    return case.id


def save(app: AppTest, name: str, body: str) -> None:
    keyed(app.text_input, "template_", "_name").input(name)
    keyed(app.text_area, "template_", "_body").input(body)
    keyed(app.button, "FormSubmitter:template_").click().run()


def test_admin_edits_a_template_and_the_composer_uses_it(
    app: AppTest,
    session: Session,
    case_id: int,
) -> None:
    sign_in(app, session, "root", "admin")
    open_page(app, "templates")
    assert app.dataframe[0].value["Name"].tolist()[:2] == ["Move to DM", "Looking into it"]
    [refund] = session.scalars(
        select(ReplyTemplate.id).where(ReplyTemplate.name == "Refund issued")
    )
    app.selectbox(key="templates_pick").select(refund).run()
    assert str(keyed(app.text_area, "template_", "_body").value).startswith("Hi {name}, we've")
    save(app, "Refund issued", "Hi {name}, your refund is on its way: 3-5 business days.")
    assert "Template 'Refund issued' saved." in app.success[0].value
    session.expire_all()
    assert session.get_one(ReplyTemplate, refund).body.endswith("3-5 business days.")
    assert session.scalars(select(AuditEntry.action)).all()[-1] == "template.save"

    open_page(app, "case", case_id)
    app.selectbox(key=f"reply_template_{case_id}").select("Refund issued")
    app.button(key=f"reply_use_template_{case_id}").click().run()
    assert keyed(app.text_area, "reply_", "_text").value == (
        "Hi Dana, your refund is on its way: 3-5 business days."
    )


def test_unsafe_template_is_refused_with_its_reasons(app: AppTest, session: Session) -> None:
    sign_in(app, session, "root", "admin")
    open_page(app, "templates")
    save(app, "Verify", "Hi {first_name}, please DM us your password to verify the account.")
    shown = texts(app)
    assert "template not saved" in shown and "unknown placeholder {first_name}" in shown
    save(app, "Verify", "Hi {name}, please DM us your password to verify the account.")
    assert "reply check:" in texts(app) and "password" in texts(app)
    session.expire_all()
    assert session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.name == "Verify")) is None
    # The refused text stays in the form to be corrected.
    assert "password" in str(keyed(app.text_area, "template_", "_body").value)


def test_retire_hides_a_template_from_the_composer(
    app: AppTest,
    session: Session,
    case_id: int,
) -> None:
    sign_in(app, session, "root", "admin")
    open_page(app, "templates")
    [dm] = session.scalars(select(ReplyTemplate.id).where(ReplyTemplate.name == "Move to DM"))
    app.selectbox(key="templates_pick").select(dm).run()
    keyed(app.button, f"template_active_{dm}_").click().run()
    assert "retired" in app.success[0].value
    assert app.dataframe[0].value["Status"].tolist()[0] == "Retired"
    open_page(app, "case", case_id)
    assert "Move to DM" not in app.selectbox(key=f"reply_template_{case_id}").options


@pytest.mark.parametrize("role", ["supervisor", "agent"])
def test_only_admins_see_the_page(app: AppTest, session: Session, role: str) -> None:
    sign_in(app, session, "sam", role)
    app.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/templates.py")
