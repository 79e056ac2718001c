"""A locked-out or forgotten account has a way back in: `monitor users unlock` and
`monitor users set-password`, both audited, the password only ever typed at a prompt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from casework import PASSWORD, make_user
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth import accounts
from monitor.cli import main
from monitor.config import AuthSettings
from monitor.db.models import AuditEntry, LoginSession, User
from monitor.db.types import utcnow

SETTINGS = AuthSettings(account_free_failures=3)
NEW = "a brand new passphrase"


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, ["users", *args], **kw)


def locked_out(session: Session, username: str) -> User:
    """Guessed at from many addresses: even the right password must wait (never a lock)."""
    make_user(session, username, "agent")
    for n in range(SETTINGS.account_free_failures + 1):
        accounts.authenticate(session, username, "wrong password!", SETTINGS, client=f"192.0.2.{n}")
    session.commit()
    user = accounts.get_user(session, username)
    assert user is not None
    waiting = accounts.authenticate(session, username, PASSWORD, SETTINGS, client="198.51.100.1")
    assert not waiting.ok and "too many failed sign-ins" in waiting.message
    session.commit()
    return user


def last_entry(session: Session, action: str) -> AuditEntry:
    session.expire_all()
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()  # type: ignore[return-value]


def test_unlock_lets_a_locked_user_back_in_and_is_audited(session: Session, run) -> None:
    user = locked_out(session, "bob")
    result = run("unlock", "bob")
    assert result.exit_code == 0, result.output
    assert "bob is unlocked" in result.output
    session.expire_all()
    assert (user.locked_until, user.failed_logins) == (None, 0)
    entry = last_entry(session, "user.unlock")
    assert entry.actor.startswith("cli:") and entry.entity_id == str(user.id)
    assert entry.before is not None
    assert accounts.authenticate(session, "bob", PASSWORD, SETTINGS).ok


def test_unlock_of_an_unknown_user_is_one_clear_line(run) -> None:
    result = run("unlock", "nobody")
    assert result.exit_code == 2 and "no user named 'nobody'" in result.output
    assert "Traceback" not in result.output


def test_set_password_prompts_twice_signs_out_and_is_audited(session: Session, run) -> None:
    user = locked_out(session, "bob")
    accounts.start_session(session, user, SETTINGS)
    session.commit()
    result = run("set-password", "bob", input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert NEW not in result.output and "Password of bob changed" in result.output
    session.expire_all()
    assert accounts.authenticate(session, "bob", NEW, SETTINGS).ok  # the lockout went too
    assert not accounts.authenticate(session, "bob", PASSWORD, SETTINGS).ok
    assert all(s.revoked for s in session.scalars(select(LoginSession)))
    entry = last_entry(session, "user.password")
    assert entry.after == {"reset": True} and entry.actor.startswith("cli:")
    assert NEW not in str(entry.after) and NEW not in str(entry.before)


def test_set_password_refuses_mismatch_weak_and_the_command_line(session: Session, run) -> None:
    make_user(session, "bob", "agent")
    session.commit()
    mismatch = run("set-password", "bob", input=f"{NEW}\nsomething else entirely\n")
    assert mismatch.exit_code != 0
    weak = run("set-password", "bob", input="short\nshort\n")
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output
    on_line = run("set-password", "bob", "--password", NEW)
    assert on_line.exit_code == 2 and "No such option" in on_line.output
    unknown = run("set-password", "nobody", input=f"{NEW}\n{NEW}\n")
    assert unknown.exit_code == 2 and "no user named 'nobody'" in unknown.output
    session.expire_all()
    assert accounts.authenticate(session, "bob", PASSWORD, SETTINGS).ok  # unchanged


def test_only_admins_unlock_or_reset_others(session: Session) -> None:
    from monitor.auth.permissions import PermissionDenied

    agent = make_user(session, "ann", "agent")
    make_user(session, "bob", "agent")
    with pytest.raises(PermissionDenied):
        accounts.unlock_user(session, agent, "bob")
    with pytest.raises(PermissionDenied):
        accounts.set_password(session, agent, "bob", NEW)
    own = accounts.set_password(session, agent, "ann", NEW)  # one's own password: allowed
    assert own.username == "ann"
    assert utcnow() - timedelta(minutes=1) < last_entry(session, "user.password").at
