"""Ingest throughput: 100k posts from a TWCS-format replay file into SQLite and PostgreSQL.

Prints posts/s and peak memory (RSS) per backend. Run: `.venv/bin/python benchmarks/bench_ingest.py
[--posts 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]`.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import Post
from monitor.ingest_replay import replay_file

PHRASES = [
    "my order never arrived and it's been {n} days",
    "the app keeps crashing when I try to pay",
    "refund still not in my account after {n} weeks",
    "love the new feature, thanks!",
    "why was I charged twice for order {n}?",
    "package marked delivered but not here",
]


def write_twcs(path: Path, posts: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime(2017, 10, 31, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "tweet_id",
                "author_id",
                "inbound",
                "created_at",
                "text",
                "response_tweet_id",
                "in_response_to_tweet_id",
            ]
        )
        for n in range(1, posts + 1):
            inbound = n % 3 != 0
            author = str(100_000 + rng.randrange(posts // 4)) if inbound else "BrandHelp"
            when = (start + timedelta(seconds=n * 7)).strftime("%a %b %d %H:%M:%S +0000 %Y")
            body = rng.choice(PHRASES).format(n=rng.randrange(2, 40))
            reply_to = "" if inbound else str(n - 1)
            writer.writerow([n, author, inbound, when, f"@BrandHelp {body}", "", reply_to])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(label: str, url: str, source: Path, posts: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    summary = replay_file(session_factory(engine), source, batch_size=2000)
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count(Post.id)))
    engine.dispose()
    print(
        f"{label:10s} {posts} rows -> {stored} posts in {elapsed:6.1f} s = "
        f"{posts / elapsed:7.0f} posts/s; peak RSS so far {peak_rss_mb():.0f} MB "
        f"({summary.describe()})"
    )


def backends(folder: str, postgres: str) -> Iterator[tuple[str, str]]:
    """(label, URL): a new SQLite file, then unless `postgres` is '' a temporary schema on
    that server, dropped once the caller moves on."""
    yield "sqlite", f"sqlite:///{folder}/bench.db"
    if not postgres:
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield "postgresql", f"{postgres}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL URL (a temporary schema is created and dropped); '' to skip",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "twcs.csv"
        write_twcs(source, args.posts)
        print(f"replay file: {source.stat().st_size / 1e6:.1f} MB, {args.posts} rows")
        for label, url in backends(folder, args.postgres):
            bench(label, url, source, args.posts)


if __name__ == "__main__":
    main()
