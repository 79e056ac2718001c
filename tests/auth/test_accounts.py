from __future__ import annotations

from datetime import timedelta

import pytest
from casework import PASSWORD, make_user
from factories import T0
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth import accounts, throttle
from monitor.auth.passwords import DEMO_PASSWORD, WeakPassword
from monitor.auth.permissions import PermissionDenied
from monitor.config import AuthSettings, SsoSettings
from monitor.db.models import AuditEntry, LoginSession, User

SETTINGS = AuthSettings(
    client_free_failures=3,
    client_max_delay_seconds=600,
    account_free_failures=10,
    account_max_delay_seconds=30,
    throttle_window_minutes=15,
    session_hours=8,
)


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


def test_failures_slow_one_client_down_without_locking_the_owner_out(session: Session) -> None:
    make_user(session, "ann", "agent")
    attacker, owner = "203.0.113.9", "198.51.100.7"
    for second in range(3):  # the free failures
        at = T0 + timedelta(seconds=second)
        outcome = accounts.authenticate(session, "ann", "bad-password-1", SETTINGS,
                                        client=attacker, now=at)  # fmt: skip
        assert outcome.message == accounts.FAILED
    # The next attempt from that address must wait (1 s, then 2, 4 ...), right password or not.
    waiting = accounts.authenticate(session, "ann", PASSWORD, SETTINGS, client=attacker,
                                    now=T0 + timedelta(seconds=2.5))  # fmt: skip
    assert not waiting.ok and waiting.message.startswith("too many failed sign-ins: wait")
    # The owner, from their own address, signs in at once: the account was never locked.
    assert accounts.authenticate(session, "ann", PASSWORD, SETTINGS, client=owner,
                                 now=T0 + timedelta(seconds=2.5)).ok  # fmt: skip
    # The attacker's delay keeps growing (signing in elsewhere does not reset it).
    delays = []
    at = T0 + timedelta(seconds=10)
    for _ in range(6):
        accounts.authenticate(session, "ann", "bad-password-1", SETTINGS, client=attacker, now=at)
        wait = accounts.authenticate(session, "ann", "x", SETTINGS, client=attacker, now=at)
        delays.append(int(wait.message.split("wait ")[1].split(" ")[0]))
        at += timedelta(seconds=delays[-1])
    assert delays == sorted(delays) and delays[-1] >= 32
    assert "login.throttled" in actions(session)


def test_throttle_answers_the_same_for_unknown_usernames(session: Session) -> None:
    make_user(session, "admin", "admin")
    answers = {}
    for name in ("admin", "nobody-here"):
        client = f"192.0.2.{len(answers) + 1}"
        seen = [
            accounts.authenticate(
                session, name, "bad-password-1", SETTINGS, client=client, now=T0
            ).message
            for _ in range(5)
        ]
        answers[name] = seen
    assert answers["admin"] == answers["nobody-here"]
    assert not any("locked" in message for message in answers["admin"])


def test_many_clients_guessing_one_username_get_a_short_capped_delay(session: Session) -> None:
    make_user(session, "admin", "admin")
    at, waits, guesses = T0, [], 0
    for n in range(60):  # a botnet: every guess from a new address, as fast as allowed
        outcome = accounts.authenticate(session, "admin", f"guess-{n}", SETTINGS,
                                        client=f"10.0.{n}.1", now=at)  # fmt: skip
        if outcome.message.startswith("too many"):
            waits.append(int(outcome.message.split("wait ")[1].split(" ")[0]))
            at += timedelta(seconds=waits[-1])
        else:
            guesses += 1
    # Beyond the free failures, one guess per delay; the delay is capped: never a lock.
    assert max(waits) == 30 and guesses <= SETTINGS.account_free_failures + len(waits)
    assert at - T0 > timedelta(minutes=10)
    refused = accounts.authenticate(session, "admin", PASSWORD, SETTINGS, client="10.9.9.9",
                                    now=at)  # fmt: skip
    assert not refused.ok
    assert accounts.authenticate(session, "admin", PASSWORD, SETTINGS, client="10.9.9.9",
                                 now=at + timedelta(seconds=31)).ok  # fmt: skip


def test_failures_are_forgotten_after_the_window(session: Session) -> None:
    make_user(session, "ann", "agent")
    for _ in range(6):
        accounts.authenticate(session, "ann", "bad-password-1", SETTINGS, client="c", now=T0)
    assert not accounts.authenticate(session, "ann", PASSWORD, SETTINGS, client="c", now=T0).ok
    later = T0 + timedelta(minutes=16)
    assert accounts.authenticate(session, "ann", PASSWORD, SETTINGS, client="c", now=later).ok


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),  # no proxy: the TCP peer
        ("203.0.113.5", "1.2.3.4", "203.0.113.5"),  # an untrusted peer cannot claim another
        (None, "198.51.100.2", "198.51.100.2"),  # local proxy: the address it saw
        (None, "6.6.6.6, 198.51.100.2", "198.51.100.2"),  # the client's own part is ignored
        (None, "198.51.100.2, 127.0.0.1", "198.51.100.2"),  # proxies chained on this machine
        (None, "not-an-address", "local"),
        (None, None, "local"),
        ("10.1.2.3", "198.51.100.2", "198.51.100.2"),  # a trusted proxy network
    ],
)
def test_client_address_behind_a_proxy(peer: str | None, forwarded: str | None,
                                       expected: str) -> None:  # fmt: skip
    trusted = ("127.0.0.1", "::1", "10.0.0.0/8")
    assert throttle.client_key(peer, forwarded, trusted) == expected


@pytest.mark.parametrize(
    "password", ["password123", "Password2026!", "qwertyuiop1", "P@ssw0rd1234", "admin12345678",
                 DEMO_PASSWORD, "Demo-Care-2026"],
)  # fmt: skip
def test_common_and_public_passwords_are_refused(session: Session, password: str) -> None:
    admin = make_user(session, "root", "admin")
    with pytest.raises(WeakPassword):
        accounts.create_user(session, admin, "annagent", password, "agent")
    make_user(session, "bob", "agent")
    with pytest.raises(WeakPassword):
        accounts.set_password(session, admin, "bob", password)


def test_a_password_made_of_the_username_is_refused(session: Session) -> None:
    admin = make_user(session, "root", "admin")
    with pytest.raises(WeakPassword, match="too easy to guess"):
        accounts.create_user(session, admin, "kimberly.jones", "kimberly.jones1", "agent")


def test_demo_accounts_may_use_the_demo_password(session: Session) -> None:
    from monitor.demo.guard import prepare_demo_database

    assert prepare_demo_database(session, "test database", into_existing=False)
    [agent, *_] = accounts.ensure_demo_users(session, DEMO_PASSWORD)
    assert accounts.authenticate(session, agent.username, DEMO_PASSWORD, SETTINGS).ok


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
    from monitor.demo.guard import prepare_demo_database

    assert prepare_demo_database(session, "test database", into_existing=False)
    first = accounts.ensure_demo_users(session, "demo-password-1")
    again = accounts.ensure_demo_users(session, "demo-password-1")
    assert [u.role for u in first] == ["agent", "senior", "supervisor", "analyst", "admin"]
    assert [u.id for u in first] == [u.id for u in again]
    assert accounts.authenticate(session, "supervisor", "demo-password-1", SETTINGS).ok


SSO = AuthSettings(
    sso=SsoSettings(
        enabled=True,
        roles={"Lead@Example.com": "supervisor"},
        domains=("example.com",),
        default_role="agent",
    )
)


def test_sso_email_maps_to_role(session: Session) -> None:
    lead = accounts.sso_user(session, "lead@example.com", SSO, email_verified=True)
    member = accounts.sso_user(session, "kim@example.com", SSO, email_verified=True)
    assert lead is not None and lead.role == "supervisor" and lead.password_hash is None
    assert member is not None and member.role == "agent"
    assert accounts.sso_user(session, "eve@evil.test", SSO, email_verified=True) is None
    assert session.scalars(select(User).where(User.email == "eve@evil.test")).first() is None


def test_sso_requires_a_verified_email(session: Session) -> None:
    assert accounts.sso_user(session, "kim@example.com", SSO) is None
    assert accounts.sso_user(session, "kim@example.com", SSO, email_verified=False) is None
    assert session.scalars(select(User)).first() is None
    assert "login.sso_unverified" in actions(session)
    claims = {"email": "kim@example.com", "email_verified": "false", "sub": "42", "iss": "idp"}
    assert accounts.sso_claims(claims) == ("kim@example.com", False, "idp|42")
    assert accounts.sso_claims({**claims, "email_verified": True})[1] is True
    assert accounts.sso_claims({"email": "kim@example.com"})[1] is False  # absent: unverified


def test_sso_never_takes_over_a_local_account(session: Session) -> None:
    admin = make_user(session, "root", "admin")
    local = accounts.create_user(session, admin, "kim", PASSWORD, "admin", email="kim@example.com")
    taken = accounts.sso_user(session, "KIM@example.com", SSO, email_verified=True, subject="i|9")
    assert taken is None
    session.refresh(local)
    assert local.role == "admin" and local.sso_subject is None  # untouched
    assert "login.sso_refused_local" in actions(session)
    # Nor a local account whose username is that e-mail address.
    accounts.create_user(session, admin, "lee@example.com", PASSWORD, "agent")
    assert accounts.sso_user(session, "lee@example.com", SSO, email_verified=True) is None


def test_sso_links_the_provider_subject_on_first_sign_in(session: Session) -> None:
    first = accounts.sso_user(session, "kim@example.com", SSO, email_verified=True, subject="i|1")
    assert first is not None and first.sso_subject == "i|1"
    again = accounts.sso_user(session, "kim@example.com", SSO, email_verified=True, subject="i|1")
    assert again is first
    # Another identity at the provider claiming the same address gets nothing.
    other = accounts.sso_user(session, "kim@example.com", SSO, email_verified=True, subject="i|2")
    assert other is None
