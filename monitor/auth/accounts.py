"""Local accounts: creation, throttled sign-in, expiring sessions, roles, single sign-on.

Only a sha256 of each session token is stored, so a copy of the database cannot be used to
sign in. Every change and every failed or throttled sign-in goes into the audit log. A
failed sign-in answers the same whether or not the username exists, and repeated failures
slow the guesser down (monitor/auth/throttle.py) instead of locking the account's owner out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.auth import throttle
from monitor.auth.passwords import check_strength, hash_password, needs_rehash, verify_password
from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.config import AuthSettings
from monitor.db.models import LoginSession, User
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.vocab import Permission, Role

DEMO_USERS = {
    "agent": "agent",
    "senior": "senior",
    "supervisor": "supervisor",
    "analyst": "analyst",
    "admin": "admin",
}  # username -> role


FAILED = "wrong username or password"


class AccountError(UserFacingError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a sign-in attempt. Failures are returned, not raised, so the caller
    commits the failure count and the audit entry."""

    user: User | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role)


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(Role)}") from None


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str | None,
    role: str,
    *,
    email: str | None = None,
    demo: bool = False,
) -> User:
    """`password` None creates a single-sign-on-only account. Only `demo` accounts may use
    the published demo password."""
    require(actor, Permission.USERS_MANAGE)
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("the username must have 1 to 80 characters")
    checked = _check_role(role)
    if get_user(session, username) is not None:
        raise AccountError(f"a user named {username!r} already exists")
    if email and session.scalars(select(User).where(User.email == email)).first():
        raise AccountError(f"the e-mail address {email} already belongs to another user")
    if password is not None:
        check_strength(password, username=username, demo=demo)
    user = User(
        username=username,
        email=email or None,
        password_hash=hash_password(password) if password is not None else None,
        role=checked,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", "user", user.id,
        after={"username": username, "role": role, "email": email},
    )  # fmt: skip
    return user


def set_role(session: Session, actor: Actor, username: str, role: str) -> User:
    require(actor, Permission.USERS_MANAGE)
    checked = _check_role(role)
    user = get_user(session, username)
    if user is None:
        raise AccountError(f"no user named {username!r}")
    if user.id == actor.user_id and checked != Role.ADMIN:
        raise AccountError("you cannot remove your own admin role: ask another admin")
    before = user.role
    user.role = checked
    audit.record(
        session, actor, "user.role", "user", user.id,
        before={"role": before}, after={"role": role},
    )  # fmt: skip
    return user


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    """Deactivating also signs the user out everywhere."""
    require(actor, Permission.USERS_MANAGE)
    user = get_user(session, username)
    if user is None:
        raise AccountError(f"no user named {username!r}")
    if user.id == actor.user_id and not active:
        raise AccountError("you cannot deactivate your own account")
    before = user.active
    user.active = active
    if not active:
        _sign_out_everywhere(session, user)
    audit.record(
        session, actor, "user.active", "user", user.id,
        before={"active": before}, after={"active": active},
    )  # fmt: skip
    return user


def set_password(session: Session, actor: Actor, username: str, password: str) -> User:
    """An admin resetting anyone's password, or a user changing their own. A reset by an
    admin also signs the user out everywhere: whoever knew the old password is out too."""
    user = get_user(session, username)
    if user is None:
        raise AccountError(f"no user named {username!r}")
    by_admin = user.id != actor.user_id
    if by_admin:
        require(actor, Permission.USERS_MANAGE)
    check_strength(password, username=user.username)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    throttle.clear_username(session, user.username)
    if by_admin:
        _sign_out_everywhere(session, user)
    audit.record(session, actor, "user.password", "user", user.id, after={"reset": by_admin})
    return user


def unlock_user(session: Session, actor: Actor, username: str) -> User:
    """Lift a sign-in lockout now instead of waiting for it to expire."""
    require(actor, Permission.USERS_MANAGE)
    user = get_user(session, username)
    if user is None:
        raise AccountError(f"no user named {username!r}")
    before = {
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "failed_logins": user.failed_logins,
    }
    user.failed_logins, user.locked_until = 0, None
    throttle.clear_username(session, user.username)  # sign-in delays start over too
    audit.record(
        session, actor, "user.unlock", "user", user.id,
        before=before, after={"locked_until": None, "failed_logins": 0},
    )  # fmt: skip
    return user


def _sign_out_everywhere(session: Session, user: User) -> None:
    session.execute(
        update(LoginSession).where(LoginSession.user_id == user.id).values(revoked=True)
    )


def authenticate(
    session: Session,
    username: str,
    password: str,
    settings: AuthSettings,
    *,
    client: str = throttle.LOCAL_CLIENT,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a password from `client` (an address, see `throttle.client_key`).

    Every failure gets the same message, and a throttled attempt is refused without looking
    at the password, whether or not the username exists: the answers never tell which
    usernames are real.
    """
    now = now or utcnow()
    name = username.strip()
    wait = throttle.wait_seconds(session, client, name, settings, now)
    if wait > 0:
        audit.record(
            session, name[:80] or "?", "login.throttled", "user", name[:64] or "?",
            after={"client": client, "wait_seconds": wait},
        )  # fmt: skip
        return LoginOutcome(None, f"too many failed sign-ins: wait {wait} s and try again")
    user = get_user(session, name)
    # Unknown and inactive users get the same (slow) check against a dummy hash.
    stored = user.password_hash if user is not None and user.active else None
    if not verify_password(stored, password):
        throttle.record_failure(session, client, name, settings, now)
        audit.record(
            session, name[:80] or "?", "login.failed", "user",
            user.id if user is not None else name[:64] or "?", after={"client": client},
        )  # fmt: skip
        return LoginOutcome(None, FAILED)
    assert user is not None
    throttle.clear_username(session, name)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user.username, "login", "user", user.id, after={"client": client})
    return LoginOutcome(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start_session(
    session: Session, user: User, settings: AuthSettings, *, now: datetime | None = None
) -> str:
    """A new random token; only its hash is stored. Keep the token on the client side."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            revoked=False,
        )
    )
    session.flush()
    return token


def session_user(
    session: Session, token: str | None, *, now: datetime | None = None
) -> User | None:
    """The signed-in user for a token, or None when unknown, expired, revoked or inactive."""
    if not token:
        return None
    row = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    login, user = row
    if login.revoked or login.expires_at <= (now or utcnow()) or not user.active:
        return None
    return user


def session_expires_at(session: Session, token: str) -> datetime | None:
    """When the session behind `token` ends on its own (its cookie lasts as long)."""
    return session.scalars(
        select(LoginSession.expires_at).where(LoginSession.token_hash == _token_hash(token))
    ).first()


def end_session(session: Session, token: str) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token))
        .values(revoked=True)
    )


def sso_role(email: str, settings: AuthSettings) -> Role | None:
    """The role an SSO e-mail maps to, or None when the address is not allowed in."""
    sso = settings.sso
    email = email.strip().lower()
    exact = {k.lower(): v for k, v in sso.roles.items()}
    if email in exact:
        return exact[email]
    domain = email.rpartition("@")[2]
    if sso.default_role and domain in {d.lower().lstrip("@") for d in sso.domains}:
        return sso.default_role
    return None


def sso_user(
    session: Session,
    email: str,
    settings: AuthSettings,
    *,
    email_verified: bool = False,
    subject: str | None = None,
) -> User | None:
    """Find or create the account for a signed-in SSO identity; None when it may not sign in.

    The provider must say the e-mail is verified (anyone can type any address into some
    providers). An account is found by the provider's `subject` once linked; the first time,
    by e-mail, but only an account made for single sign-on (no password): an SSO e-mail that
    matches a local password account never takes it over. The configured mapping wins over
    an earlier role, so removing a mapping takes effect.
    """
    email = email.strip().lower()
    if not email_verified:
        audit.record(session, email[:80] or "?", "login.sso_unverified", "user", email[:64])
        return None
    role = sso_role(email, settings)
    if role is None:
        audit.record(session, email[:80], "login.sso_refused", "user", email[:64])
        return None
    user = None
    if subject:
        user = session.scalars(select(User).where(User.sso_subject == subject)).first()
    if user is None:
        user = session.scalars(select(User).where(User.email == email)).first()
        if user is not None and (user.password_hash is not None or user.sso_subject):
            audit.record(
                session, email[:80], "login.sso_refused_local", "user", user.id,
                after={"reason": "e-mail belongs to another account"},
            )  # fmt: skip
            return None
    if user is None:
        if get_user(session, email[:80]) is not None:
            audit.record(session, email[:80], "login.sso_refused_local", "user", email[:64])
            return None
        user = User(username=email[:80], email=email, password_hash=None, role=role, active=True)
        session.add(user)
        session.flush()
        audit.record(session, "sso", "user.create", "user", user.id, after={"role": role})
    if subject and user.sso_subject is None:
        user.sso_subject = subject
    if user.role != role:
        audit.record(
            session, "sso", "user.role", "user", user.id,
            before={"role": user.role}, after={"role": role},
        )  # fmt: skip
        user.role = role
    if not user.active:
        return None
    audit.record(session, user.username, "login.sso", "user", user.id)
    return user


def sso_claims(user_info: Any) -> tuple[str, bool, str | None]:
    """(e-mail, verified, subject) from OIDC claims; `email_verified` may be a bool or text."""
    email = str(user_info.get("email") or "")
    verified = user_info.get("email_verified")
    ok = verified is True or str(verified).strip().lower() == "true"
    sub, iss = user_info.get("sub"), user_info.get("iss")
    subject = f"{iss or ''}|{sub}"[:400] if sub else None
    return email, ok, subject


def ensure_demo_users(session: Session, password: str) -> list[User]:
    """One account per role for the demo (agent, senior, supervisor, analyst, admin), all with
    `password`. Safe to run again: existing accounts are left as they are. Refused outside a
    database the demo created: the password is public."""
    from monitor.auth.permissions import SYSTEM
    from monitor.demo.guard import is_demo_database

    if not is_demo_database(session):
        raise AccountError(
            "demo accounts are only created in a database created by `monitor demo`: "
            "this one holds real data"
        )
    users = []
    for username, role in DEMO_USERS.items():
        user = get_user(session, username)
        if user is None:
            user = create_user(session, SYSTEM, username, password, role, demo=True)
        users.append(user)
    return users
