"""Password hashing with argon2id: slow on purpose, salted, and self-describing.

The hash string carries its own parameters, so raising the cost later only needs
`needs_rehash` at the next successful login, never a mass reset.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from monitor.errors import UserFacingError

MIN_LENGTH = 10
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so a failed login takes the same time
# whether or not the account exists.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-used-for-timing")


class WeakPassword(UserFacingError):
    """The chosen password is too easy to guess."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if password.strip() != password or len(set(password)) < 4:
        raise WeakPassword("the password is too simple: use a few words or a password manager")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)
