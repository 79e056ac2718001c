"""Idempotency keys: the same form submission never acts twice.

Every state-changing form is drawn with a key (a fresh random one, or one derived from what
the form acts on, such as "decide:resolution-12"). The service writes a `submissions` row with
that key first, in the same transaction as the action; the unique constraint means a double
click, a retry, a second tab or a replayed request finds the first row and does nothing, and
the user is told what the first submission did. A submission that was refused rolls back
with its action, so its key stays free for the corrected retry.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor
from monitor.db import dialect
from monitor.db.models import Submission, User
from monitor.db.types import utcnow
from monitor.errors import UserFacingError

_KEY = re.compile(r"^[A-Za-z0-9:._-]{8,100}$")


class AlreadyDone(UserFacingError):
    """This exact submission was carried out before; nothing was repeated."""


def new_key() -> str:
    """A fresh key for a form about to be drawn (or a one-off call from a script)."""
    return uuid.uuid4().hex


def _check_format(key: str) -> None:
    if not _KEY.match(key or ""):
        raise UserFacingError(
            "this form has no valid submission key (8 to 100 letters, digits, ':._-'): "
            "reload the page and submit again"
        )


def check(session: Session, key: str) -> None:
    """Raise AlreadyDone if `key` was used; call it before the checks that could refuse, so
    a repeated submission is told it was done rather than why it would now be refused."""
    _check_format(key)
    first = session.execute(
        select(Submission, User.username)
        .outerjoin(User, User.id == Submission.user_id)
        .where(Submission.key == key)
    ).first()
    if first is not None:
        done, who = first
        what = done.summary or done.action.replace(".", " ")
        raise AlreadyDone(
            f"already done: this submission was carried out at "
            f"{done.created_at:%Y-%m-%d %H:%M} UTC by {who or 'someone'} ({what}); nothing "
            "was repeated"
        )


def begin(
    session: Session, key: str, action: str, actor: Actor, *, case_id: int | None = None
) -> None:
    """Claim `key` for this submission before its first write, or raise AlreadyDone.

    On PostgreSQL a concurrent duplicate waits on the unique index until the first commits
    (then finds it) or rolls back (then proceeds); on SQLite writers are serialised anyway.
    """
    _check_format(key)
    inserted = session.execute(
        dialect.insert(session, Submission)
        .values(
            key=key, action=action, user_id=actor.user_id, case_id=case_id, summary="",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Submission.id)
    ).scalar_one_or_none()  # fmt: skip
    if inserted is None:
        check(session, key)
        raise AlreadyDone("already done: this submission was carried out; nothing was repeated")


def finish(session: Session, key: str, summary: str) -> None:
    """Remember what the submission did, for the message a repeat of it gets."""
    session.execute(
        update(Submission)
        .where(Submission.key == key)
        .values(summary=summary[:1000])
        .execution_options(synchronize_session=False)
    )
