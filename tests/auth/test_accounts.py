from __future__ import annotations

from datetime import timedelta

import pytest
from casework import PASSWORD, make_user
from factories import T0
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth import accounts
from monitor.auth.passwords import WeakPassword
from monitor.auth.permissions import PermissionDenied
from monitor.auth.settings import AuthSettings, SsoSettings
from monitor.db.models import AuditEntry, LoginSession, User

SETTINGS = AuthSettings(lockout_failures=3, lockout_minutes=15, session_hours=8)


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_password_is_hashed_with_argon2_and_checked(session: Session) -> None:
    make_user(session, "ann", "agent")
    user = accounts.get_user(session, "ann")
    assert user is not None and user.password_hash and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert accounts.authenticate(session, "ann", PASSWORD, SETTINGS, now=T0).ok
    wrong = accounts.authenticate(session, "ann", "nope-nope-nope", SETTINGS, now=T0)
    assert not wrong.ok and wrong.message == "wrong username or password"
    unknown = accounts.authenticate(session, "zed", PASSWORD, SETTINGS, now=T0)
    assert unknown.message == wrong.message  # no hint that the account exists


def test_lockout_after_repeated_failures_then_expires(session: Session) -> None:
    make_user(session, "ann", "agent")
    for _ in range(2):
        assert not accounts.authenticate(session, "ann", "bad-password-1", SETTINGS, now=T0).ok
    locked = accounts.authenticate(session, "ann", "bad-password-1", SETTINGS, now=T0)
    assert "locked for 15 minutes" in locked.message
    still = accounts.authenticate(session, "ann", PASSWORD, SETTINGS, now=T0 + timedelta(minutes=5))
    assert not still.ok and "locked" in still.message  # even the right password waits
    later = accounts.authenticate(
        session, "ann", PASSWORD, SETTINGS, now=T0 + timedelta(minutes=16)
    )
    assert later.ok
    assert actions(session).count("login.failed") == 2
    assert "login.locked" in actions(session) and "login.refused_locked" in actions(session)


def test_sessions_store_only_a_hash_and_expire(session: Session) -> None:
    make_user(session, "ann", "agent")
    user = accounts.get_user(session, "ann")
    assert user is not None
    token = accounts.start_session(session, user, SETTINGS, now=T0)
    stored = session.scalars(select(LoginSession.token_hash)).one()
    assert token not in stored and len(stored) == 64
    assert accounts.session_user(session, token, now=T0 + timedelta(hours=7)) is user
    assert accounts.session_user(session, token, now=T0 + timedelta(hours=9)) is None
    assert accounts.session_user(session, "forged", now=T0) is None
    accounts.end_session(session, token)
    assert accounts.session_user(session, token, now=T0) is None


def test_only_admins_manage_users_and_roles_are_audited(session: Session) -> None:
    admin = make_user(session, "root", "admin")
    agent = make_user(session, "ann", "agent")
    with pytest.raises(PermissionDenied, match="admin"):
        accounts.create_user(session, agent, "eve", PASSWORD, "admin")
    with pytest.raises(PermissionDenied):
        accounts.set_role(session, agent, "ann", "supervisor")
    accounts.set_role(session, admin, "ann", "senior")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.role")).one()
    assert entry.actor == "root" and entry.before == {"role": "agent"}
    assert entry.after == {"role": "senior"}
    with pytest.raises(WeakPassword):
        accounts.create_user(session, admin, "bob", "short", "agent")


def test_demo_users_are_idempotent(session: Session) -> None:
    from monitor.sources.demo_guard import prepare_demo_database

    assert prepare_demo_database(session, "test database", into_existing=False)
    first = accounts.ensure_demo_users(session, "demo-password-1")
    again = accounts.ensure_demo_users(session, "demo-password-1")
    assert [u.role for u in first] == ["agent", "senior", "supervisor", "analyst", "admin"]
    assert [u.id for u in first] == [u.id for u in again]
    assert accounts.authenticate(session, "supervisor", "demo-password-1", SETTINGS).ok


def test_sso_email_maps_to_role(session: Session) -> None:
    settings = AuthSettings(
        sso=SsoSettings(
            enabled=True,
            roles={"Lead@Example.com": "supervisor"},
            domains=("example.com",),
            default_role="agent",
        )
    )
    lead = accounts.sso_user(session, "lead@example.com", settings)
    member = accounts.sso_user(session, "kim@example.com", settings)
    assert lead is not None and lead.role == "supervisor" and lead.password_hash is None
    assert member is not None and member.role == "agent"
    assert accounts.sso_user(session, "eve@evil.test", settings) is None
    assert session.scalars(select(User).where(User.email == "eve@evil.test")).first() is None
