"""Serialise a check-then-write (a limit check and its insert) across threads and processes.

Reading what was already granted and inserting the new grant must happen under one lock, or
two requests both read the old total and both pass. `serialise(session, users=[7],
orders=["112-..."])` takes that lock for the rest of the caller's transaction:

- PostgreSQL: `SELECT ... FOR UPDATE` on the rows the limits hang on (the user, the order,
  the resolution), always in the same order (resolutions, orders, users; ids sorted), so two
  transactions locking the same rows cannot deadlock. Row locks belong to this schema's
  tables, unlike advisory keys, which every schema of a database shares. Reads after it see
  every row committed by the previous holder (READ COMMITTED reads anew per statement).
- SQLite: `BEGIN IMMEDIATE`, SQLite's write lock, held until commit. The Python driver would
  otherwise run reads outside any transaction and only begin one at the first write, which
  is what let limit checks race. If the transaction already wrote something it already holds
  the write lock, so there is nothing more to take.

Take these locks first in a transaction, before anything else that locks (the audit log's
tail, for one): a transaction that waits for them while holding another lock can deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.dialect import is_postgres
from monitor.db.models import Order, Resolution, User


def serialise(
    session: Session,
    *,
    users: Iterable[int | None] = (),
    orders: Iterable[str | None] = (),
    resolutions: Iterable[int] = (),
) -> None:
    """Hold the locks of these users, orders and resolutions until the transaction ends."""
    connection = session.connection()
    if is_postgres(connection):
        for model, ids in (
            (Resolution, sorted(set(resolutions))),
            (Order, sorted({i for i in orders if i})),
            (User, sorted({i for i in users if i is not None})),
        ):
            if ids:
                column = model.id
                session.execute(
                    select(column).where(column.in_(ids)).order_by(column).with_for_update()
                )
        return
    driver = connection.connection.dbapi_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")
