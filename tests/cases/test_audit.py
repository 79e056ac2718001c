from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker
from tamper import execute

from monitor.auth.permissions import SYSTEM
from monitor.cases.audit import GENESIS, record
from monitor.cases.audit_verify import verify_chain
from monitor.db.models import AuditEntry


def test_entries_chain_and_verify(session: Session) -> None:
    first = record(session, SYSTEM, "case.claim", "case", 1, after={"assignee": "ann"})
    second = record(session, "bob", "case.note", "case", 1, before=None, after={"n": 1.5})
    session.commit()
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    report = verify_chain(session)
    assert report.intact and report.entries == 2
    assert report.describe() == "2 entries, chain intact"


def test_a_changed_entry_is_reported(session: Session) -> None:
    for n in range(3):
        record(session, "ann", "case.note", "case", n, after={"n": n})
    session.commit()
    second = session.query(AuditEntry).order_by(AuditEntry.id).all()[1]
    execute(session, "UPDATE audit_log SET actor = 'mallory' WHERE id = :id", id=second.id)
    report = verify_chain(session)
    assert not report.intact and report.broken_at == second.id
    assert f"entry {second.id}" in report.describe()


def test_concurrent_appends_keep_one_chain(sessions: sessionmaker[Session]) -> None:
    """Two writers at once (threads with their own connections, like two processes)."""
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(15):
                with sessions() as s, s.begin():
                    record(s, name, "case.note", "case", n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with sessions() as s:
        report = verify_chain(s)
    assert report.intact and report.entries == 30
