"""Password hashing with argon2id: slow on purpose, salted, and self-describing.

The hash string carries its own parameters, so raising the cost later only needs
`needs_rehash` at the next successful login, never a mass reset.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from monitor.errors import UserFacingError

MIN_LENGTH = 10
MAX_LENGTH = 200  # zxcvbn's cost grows with length; nobody types more
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" against online guessing
# Passwords printed in this project's README and docs: fine for the demo accounts only.
DEMO_PASSWORD = "demo-care-2026"  # noqa: S105
PUBLIC_PASSWORDS = frozenset({DEMO_PASSWORD, "correct horse battery staple"})
# Words an attacker tries first against this product.
_PRODUCT_WORDS = ["escalation", "monitor", "social", "care", "support", "demo", "admin"]
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so a failed login takes the same time
# whether or not the account exists.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-used-for-timing")


class WeakPassword(UserFacingError):
    """The chosen password is too easy to guess."""


def check_strength(password: str, *, username: str = "", demo: bool = False) -> None:
    """Refuse short, common and known-public passwords (zxcvbn knows the leaked-password
    lists, names, keyboard walks, dates and l33t spellings of them)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password may have at most {MAX_LENGTH} characters")
    if password.strip() != password or len(set(password)) < 4:
        raise WeakPassword("the password is too simple: use a few words or a password manager")
    if not demo and password.strip().lower() in PUBLIC_PASSWORDS:
        raise WeakPassword(
            "this password is published (the demo's or an example's): choose another one"
        )
    result = zxcvbn(password, user_inputs=[username, *_PRODUCT_WORDS] if username else
                    _PRODUCT_WORDS)  # fmt: skip
    if result["score"] < MIN_SCORE and not demo:
        warning = result["feedback"]["warning"] or "it is easy to guess"
        raise WeakPassword(
            f"the password is too easy to guess ({warning.rstrip('.').lower()}): "
            "use three or four unrelated words, or a password manager"
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)
