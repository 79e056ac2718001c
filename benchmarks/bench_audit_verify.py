"""Audit log benchmark: appending entries, and `verify` over a long log (SQLite).

    nice .venv/bin/python benchmarks/bench_audit_verify.py [--entries 100000]

Prints the cost of one `record()` (what every action pays: lock, read the head, hash, sign,
insert) and how many entries per second `verify_chain` checks, with and without the HMAC key,
on a log written into a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from monitor.cases.audit import GENESIS, entry_hash, record, sign  # noqa: E402
from monitor.cases.audit_verify import verify_chain  # noqa: E402
from monitor.db.engine import AuditKey, make_engine, session_factory  # noqa: E402
from monitor.db.migrate import upgrade  # noqa: E402
from monitor.db.models import AuditEntry  # noqa: E402

KEY = AuditKey(b"benchmark-key-" + b"x" * 32)
T0 = datetime(2026, 10, 1, tzinfo=UTC)


def fill(sessions, count: int) -> None:  # type: ignore[no-untyped-def]
    """Entries as `record` writes them (same hash and signature), inserted in bulk."""
    prev, batch = GENESIS, []
    with sessions() as session, session.begin():
        for n in range(count):
            fields = {
                "at": T0 + timedelta(seconds=n), "actor": f"agent{n % 40}",
                "action": "case.note", "entity": "case", "entity_id": str(n % 5000),
                "before": None, "after": {"note": n, "text": "called the carrier"},
                "prev_hash": prev,
            }  # fmt: skip
            digest = entry_hash(**fields)
            batch.append(fields | {"hash": digest, "mac": sign(KEY.secret, digest)})
            prev = digest
            if len(batch) == 5000:
                session.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            session.execute(insert(AuditEntry), batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="log length to verify")
    parser.add_argument("--appends", type=int, default=2_000, help="record() calls to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'audit.db'}")
        upgrade(engine)
        signed = session_factory(engine, audit_key=KEY)
        plain = session_factory(engine)
        fill(signed, args.entries)

        started = time.perf_counter()
        for n in range(args.appends):
            with signed() as session, session.begin():
                record(session, "bench", "case.note", "case", n, after={"n": n})
        per_append = (time.perf_counter() - started) / args.appends
        total = args.entries + args.appends
        print(f"record(): {per_append * 1000:.2f} ms per entry (own transaction, signed)")

        for label, factory in (("with HMAC key", signed), ("hash chain only", plain)):
            with factory() as session:
                started = time.perf_counter()
                report = verify_chain(session, money=False)
                elapsed = time.perf_counter() - started
            assert report.intact and report.entries == total, report.describe()
            print(f"verify {label}: {total:,} entries in {elapsed:.2f} s "
                  f"({total / elapsed:,.0f} entries/s)")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
