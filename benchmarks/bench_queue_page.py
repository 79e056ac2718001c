"""How fast the Queue page renders with many cases and posts, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_queue_page.py [--posts 100000] [--cases N]
        [--backend sqlite|postgresql|both]

    # the published figures: 100k cases holding 1M posts
    .venv/bin/python benchmarks/bench_queue_page.py --posts 1000000 --cases 100000

`--cases` defaults to a quarter of the posts.

Prints the time of the queue service queries alone (one page with its counts, a deep page,
a search, the "breaching" view) and of a whole AppTest run of the Queue page (signed in).
PostgreSQL is 127.0.0.1:5432 db `test`, user postgres, in a dedicated schema
`bench_queue` that is dropped afterwards. The target is under 1.5 s for the page.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text

from monitor.auth.accounts import create_user, start_session
from monitor.auth.permissions import SYSTEM
from monitor.cases.queue import QueueFilters, queue_page
from monitor.config import AuthSettings
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import Author, Case, Post, Score

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "bench_queue"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
STATUSES = ("new", "open", "waiting", "resolved", "closed")
TARGET_MS = 1500
INTENTS = ("delivery", "billing", "refund_return", "account_security", "praise", "other")


def seed(engine: Engine, posts: int, cases: int) -> None:
    rng = random.Random(7)
    authors = cases
    with engine.begin() as conn:
        conn.execute(
            insert(Author),
            [
                {"id": i, "platform": "x", "external_id": str(i), "handle": f"user{i}",
                 "followers": rng.randrange(0, 100_000), "verified": False}
                for i in range(1, authors + 1)
            ],
        )  # fmt: skip
        conn.execute(
            insert(Case),
            [
                {"id": i, "platform": "x", "author_id": i, "status": rng.choice(STATUSES),
                 "priority": rng.uniform(0, 100), "intent": rng.choice(INTENTS),
                 "opened_at": NOW - timedelta(hours=rng.uniform(1, 200)),
                 "last_post_at": NOW - timedelta(minutes=rng.uniform(1, 600)),
                 **_reply_state(rng)}
                for i in range(1, cases + 1)
            ],
        )  # fmt: skip
        for start in range(1, posts + 1, 20_000):
            ids = range(start, min(start + 20_000, posts + 1))
            conn.execute(
                insert(Post),
                [
                    {"id": i, "platform": "x", "external_id": f"p{i}", "kind": "mention",
                     "source": "bench", "author_id": (i - 1) % cases + 1,
                     "case_id": (i - 1) % cases + 1, "text": f"post {i} where is my parcel",
                     "inbound": True, "created_at": NOW - timedelta(minutes=i % 5000),
                     "ingested_at": NOW}
                    for i in ids
                ],
            )  # fmt: skip
            conn.execute(
                insert(Score),
                [
                    {"post_id": i, "model_version": "bench", "negative": 0.5, "neutral": 0.3,
                     "positive": 0.2, "urgency": rng.uniform(0, 100), "intent": "delivery",
                     "language_supported": True, "factors": {"negative": 30.0},
                     "explanation": "negative", "scored_at": NOW}
                    for i in ids
                ],
            )  # fmt: skip
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _reply_state(rng: random.Random) -> dict[str, object]:
    """A third of the cases answered (clock stopped), the rest still owing a reply."""
    if rng.random() < 1 / 3:
        return {"first_response_at": NOW - timedelta(minutes=30), "sla_due_at": None}
    return {"first_response_at": None, "sla_due_at": NOW + timedelta(minutes=rng.uniform(-60, 240))}


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench(url: str, posts: int, cases: int) -> None:
    from streamlit.testing.v1 import AppTest

    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    seed(engine, posts, cases)
    print(f"  seeded {cases:,} cases, {posts:,} posts in {time.perf_counter() - started:.1f}s")
    sessions = session_factory(engine)
    with sessions() as session:

        def page(**filters: Any) -> Callable[[], object]:
            return lambda: queue_page(session, QueueFilters(**filters), now=NOW)

        figures = {
            "first page with counts": page(),
            "page 100": lambda: queue_page(session, QueueFilters(), page=100, now=NOW),
            "min urgency 70": page(min_urgency=70),
            "breaching in 15 min": page(due_within_minutes=15),
            "search words": page(search="parcel 77"),
            "search @handle": page(search="@user4242"),
            "search #case": page(search="#4242"),
        }
        for name, work in figures.items():
            print(f"  queue service, {name}: {timed(work) * 1000:.0f} ms")
        user = create_user(session, SYSTEM, "bench", "bench password 1", "agent")
        token = start_session(session, user, AuthSettings())
        session.commit()
    os.environ["MONITOR_DATABASE_URL"] = url
    import streamlit as st

    st.cache_resource.clear()  # the dashboard caches its engine: point it at this database

    def render() -> None:
        app = AppTest.from_file(APP, default_timeout=60)
        app.session_state["auth_token"] = token
        app.run()
        assert not app.exception and len(app.dataframe[0].value) == 50

    render()  # warm-up: imports, cached engine
    took = timed(render) * 1000
    verdict = "met" if took < TARGET_MS else "MISSED"
    print(f"  queue page AppTest.run(): {took:.0f} ms (target < {TARGET_MS} ms: {verdict})")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--cases", type=int, help="default: a quarter of the posts")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    cases = args.cases or max(args.posts // 4, 1)
    if not 0 < cases <= args.posts:
        parser.error("--cases must be between 1 and --posts")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite")
            bench(f"sqlite:///{folder}/bench.db", args.posts, cases)
    if args.backend in ("postgresql", "both"):
        admin = create_engine(PG)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        try:
            print("PostgreSQL")
            bench(f"{PG}?options=-csearch_path%3D{SCHEMA}", args.posts, cases)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
