"""Scoring stored posts (what `monitor run` does after each poll): posts/s end to end.

Stores a TWCS-format file of repeat customers (most authors post several times, so the
author, case and order history lookups do real work), then times `score_and_roll_up` with the
committed model, and the model alone on the same texts, so the database share is visible.
Run: `.venv/bin/python benchmarks/bench_score_pending.py [--posts 20000] [--postgres URL|'']`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_ingest import backends, write_twcs
from sqlalchemy import func, select

from monitor.cases.rollup import score_and_roll_up
from monitor.config import Settings
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import Post, Score
from monitor.ingest_replay import replay_file
from monitor.scoring.loader import load_text_model


def bench(label: str, url: str, source: Path, settings: Settings) -> None:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    replay_file(factory, source, batch_size=2000)
    model = load_text_model(settings.model)
    with engine.connect() as connection:
        texts = list(connection.scalars(select(Post.text).where(Post.inbound.is_(True))))
    started = time.perf_counter()
    model.predict(texts)
    model_only = time.perf_counter() - started
    started = time.perf_counter()
    scored = score_and_roll_up(factory, model, settings)
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(Score.id))) == scored == len(texts)
    engine.dispose()
    print(
        f"{label:10s} {scored} posts scored in {elapsed:6.1f} s = {scored / elapsed:5.0f} posts/s "
        f"(model alone {len(texts) / model_only:5.0f} posts/s; database and urgency "
        f"{100 * (elapsed - model_only) / elapsed:.0f}% of the time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000, help="rows in the file (2/3 inbound)")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL URL (a temporary schema is created and dropped); '' to skip",
    )
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "twcs.csv"
        write_twcs(source, args.posts)
        for label, url in backends(folder, args.postgres):
            bench(label, url, source, settings)


if __name__ == "__main__":
    main()
