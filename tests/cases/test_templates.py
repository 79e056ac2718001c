"""Reply templates as data: seeded with the shipped six, edited by admins only, refused with
reasons when a placeholder is unknown or the reply check fails, audited, and what the
composer fills comes from the table."""

from __future__ import annotations

import pytest
from casework import make_user, shipped_templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth.permissions import PermissionDenied
from monitor.cases.reply_check import BrandContacts
from monitor.cases.templates import (
    TemplateRefused,
    fill_template,
    list_templates,
    save_template,
    set_template_active,
    template_names,
    template_problems,
)
from monitor.db.models import AuditEntry, ReplyTemplate
from monitor.errors import UserFacingError
from monitor.submissions import AlreadyDone, new_key

BRAND = BrandContacts(domains=("shopnow.example",))


def test_a_fresh_database_offers_the_shipped_templates(session: Session) -> None:
    shipped = shipped_templates()
    assert len(shipped) == 6
    assert template_names(session) == list(shipped)
    assert fill_template(
        session, "Refund issued", handle="dana", customer_name="Dana Reyes"
    ).startswith("Hi Dana, we've issued your refund.")
    assert fill_template(
        session, "Looking into it", handle="x", customer_name=None, platform="facebook"
    ).startswith("Thanks for your patience. We're checking")


def test_admin_adds_edits_and_retires_with_audit(session: Session) -> None:
    admin = make_user(session, "ada", "admin")
    added = save_template(
        session, admin, " Order found ", "Hi {name}, we found your order and it ships today.",
        key=new_key(), brand=BRAND,
    )  # fmt: skip
    session.commit()
    assert added.name == "Order found" and "Order found" in template_names(session)
    assert fill_template(session, "Order found", handle="dana", customer_name=None) == (
        "Hi @dana, we found your order and it ships today."
    )
    save_template(
        session, admin, "Order found", "Hi {name}, your order ships tomorrow.",
        key=new_key(), brand=BRAND, template_id=added.id,
    )  # fmt: skip
    key = new_key()
    set_template_active(session, admin, added.id, False, key=key)
    session.commit()
    assert "Order found" not in template_names(session)
    assert [t.updated_by for t in list_templates(session) if t.id == added.id] == ["ada"]
    with pytest.raises(UserFacingError, match="no active reply template 'Order found'"):
        fill_template(session, "Order found", handle="dana", customer_name=None)
    with pytest.raises(AlreadyDone):  # the same click twice does not act twice
        set_template_active(session, admin, added.id, False, key=key)
    session.rollback()
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "reply_template")
    ).all()
    assert actions == ["template.save", "template.save", "template.retire"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "template.save")).all()[1]
    assert "tomorrow" in str(entry.after) and "today" in str(entry.before)


@pytest.mark.parametrize("role", ["agent", "senior", "supervisor", "analyst"])
def test_only_admins_manage_templates(session: Session, role: str) -> None:
    someone = make_user(session, f"user_{role}", role)
    with pytest.raises(PermissionDenied, match="templates manage"):
        save_template(session, someone, "Mine", "Hi {name}, thanks!", key=new_key())
    [first] = list_templates(session)[:1]
    with pytest.raises(PermissionDenied):
        set_template_active(session, someone, first.id, False, key=new_key())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Hi {first_name}, thanks!", "unknown placeholder {first_name}: use only {handle}, {name}"),
        ("Hi {name.__class__}", "unknown placeholder {name.__class__}"),
        ("Hi {name!r}", "unknown placeholder {name!r}"),
        ("Hi {}", "unknown placeholder {}"),
        ("Hi {name", "a brace is not closed"),
        ("Please DM us your password so we can check.", "reply check: "),
        ("Log in at https://evil.example/login to fix it, {name}.", "reply check: "),
        ("x" * 300, "a public reply has at most 280 characters"),
        ("   ", "the template text is empty"),
    ],
)
def test_unsafe_or_broken_templates_are_refused(session: Session, body: str, reason: str) -> None:
    admin = make_user(session, "ada", "admin")
    session.commit()
    with pytest.raises(TemplateRefused, match="template not saved") as refused:
        save_template(session, admin, "Bad one", body, key=new_key(), brand=BRAND)
    assert reason in str(refused.value)
    session.rollback()
    assert "Bad one" not in template_names(session)  # nothing was saved, nothing audited
    audited = select(AuditEntry.id).where(AuditEntry.entity == "reply_template")
    assert session.scalar(audited) is None


def test_a_name_is_unique_and_a_restored_template_is_checked_again(session: Session) -> None:
    admin = make_user(session, "ada", "admin")
    session.commit()
    with pytest.raises(TemplateRefused, match="already called 'Move to DM'"):
        save_template(session, admin, "Move to DM", "Hi {name}, DM us.", key=new_key())
    session.rollback()
    [shipped] = [t for t in list_templates(session) if t.name == "Refund issued"]
    set_template_active(session, admin, shipped.id, False, key=new_key())
    set_template_active(session, admin, shipped.id, True, key=new_key())
    session.commit()
    assert "Refund issued" in template_names(session)
    # A retired text that no longer passes (here changed behind the service's back) stays retired.
    set_template_active(session, admin, shipped.id, False, key=new_key())
    session.get_one(ReplyTemplate, shipped.id).body = "Send us your card number, {name}."
    session.commit()
    with pytest.raises(TemplateRefused, match="card"):
        set_template_active(session, admin, shipped.id, True, key=new_key())


def test_problems_cover_both_greetings_and_channels() -> None:
    assert template_problems("Fine", "Hi {name}, we're on it.") == []
    # A public reply must not show a phone number that is not the brand's own.
    problems = template_problems("Call", "Hi {name}, call me on +1 202 555 0143.")
    assert problems and all(p.startswith("reply check: ") for p in problems)
    assert template_problems("", "Hi") == [
        "give the template a name of 1 to 80 characters on one line"
    ]
