"""Export benchmark: N posts (default 1,000,000) to CSV and Parquet, time and peak memory.

    nice .venv/bin/python benchmarks/bench_export.py [--posts 1000000] [--xlsx]

Rows are generated with raw bulk inserts into a temporary SQLite file; each export then runs
in a fresh child process so its peak RSS (ru_maxrss) is the export's alone, not the data
generator's. A child that only imports the code gives the baseline to compare against.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 10, 1, tzinfo=UTC)
TEXTS = (
    "@AmazonHelp my package never arrived, order 112-4455667-1234567",
    '=HYPERLINK("http://x") charged twice for prime!!',
    "where is my refund? it has been 3 weeks",
    "love the fast delivery, thanks",
    "my account was hacked and someone ordered a $900 TV",
)
INTENTS = ("delivery", "billing", "refund_return", "praise", "account_security")


def _ts(moment: datetime) -> str:  # SQLAlchemy's SQLite storage format for naive UTC
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(path: Path, posts: int, posts_per_case: int = 4) -> None:
    from monitor.db.engine import make_engine
    from monitor.db.migrate import upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    rng = random.Random(7)
    cases = posts // posts_per_case
    authors = max(cases // 2, 1)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.executemany(
        "INSERT INTO authors (id, platform, external_id, handle, followers, verified) "
        "VALUES (?, 'x', ?, ?, ?, 0)",
        ((a, str(10**18 + a), f"user{a}", rng.randint(0, 90_000)) for a in range(1, authors + 1)),
    )
    case_rows = []
    for c in range(1, cases + 1):
        opened = T0 + timedelta(seconds=c * 20)
        answered = _ts(opened + timedelta(minutes=rng.randint(5, 300))) if c % 3 else None
        case_rows.append(
            (c, (c % authors) + 1, "open" if c % 5 else "resolved", rng.uniform(0, 100),
             INTENTS[c % 5], _ts(opened), _ts(opened), answered, _ts(opened + timedelta(hours=1)))
        )  # fmt: skip
    db.executemany(
        "INSERT INTO cases (id, platform, author_id, status, priority, intent, opened_at, "
        "last_post_at, first_response_at, sla_due_at) VALUES (?, 'x', ?, ?, ?, ?, ?, ?, ?, ?)",
        case_rows,
    )
    del case_rows

    def post_rows() -> object:
        for p in range(1, posts + 1):
            case = (p - 1) // posts_per_case + 1
            created = T0 + timedelta(seconds=case * 20 + (p % posts_per_case) * 60)
            yield (p, str(1_800_000_000_000_000_000 + p), (case % authors) + 1, case,
                   TEXTS[p % 5], _ts(created), _ts(created))  # fmt: skip

    db.executemany(
        "INSERT INTO posts (id, platform, external_id, kind, source, author_id, case_id, text, "
        "inbound, created_at, ingested_at) "
        "VALUES (?, 'x', ?, 'mention', 'bench', ?, ?, ?, 1, ?, ?)",
        post_rows(),  # type: ignore[arg-type]
    )
    db.executemany(
        "INSERT INTO scores (post_id, model_version, negative, neutral, positive, urgency, "
        "intent, language_supported, factors, explanation, scored_at) "
        "VALUES (?, 'bench', 0.6, 0.3, 0.1, ?, ?, 1, '{}', 'bench', ?)",
        ((p, (p * 37) % 100, INTENTS[p % 5], _ts(T0)) for p in range(1, posts + 1)),
    )
    db.commit()
    db.close()


def run_export(db: Path, fmt: str, out: Path) -> dict[str, object]:
    from monitor.auth.permissions import SYSTEM
    from monitor.config import Settings
    from monitor.db.engine import make_engine, session_factory
    from monitor.reports.export import export_report

    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    result = export_report(session_factory(engine), Settings(), SYSTEM, fmt, out)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    return {
        "format": fmt,
        "cases": result.cases,
        "posts": result.posts,
        "seconds": round(seconds, 1),
        "posts_per_second": round(result.posts / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes": sum(p.stat().st_size for p in result.paths),
    }


def _child(*args: str) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true", help="also time XLSX (slow)")
    parser.add_argument("--child", nargs=3, metavar=("DB", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        import monitor.reports.export  # noqa: F401 - what every export pays before any row

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"peak_rss_mb": round(rss, 1)}))
        return
    if args.child:
        db, fmt, out = args.child
        print(json.dumps(run_export(Path(db), fmt, Path(out))))
        return
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        started = time.perf_counter()
        generate(db, args.posts)
        print(f"generated {args.posts:,} posts in {time.perf_counter() - started:.0f}s "
              f"({db.stat().st_size / 2**20:.0f} MB SQLite file)")  # fmt: skip
        print(f"baseline (imports only): peak RSS {_child('--baseline')['peak_rss_mb']} MB")
        for fmt in ("csv", "parquet", *(("xlsx",) if args.xlsx else ())):
            figures = _child("--child", str(db), fmt, str(Path(folder) / f"export.{fmt}"))
            print(
                f"{fmt:8} {figures['posts']:,} posts + {figures['cases']:,} cases in "
                f"{figures['seconds']}s ({figures['posts_per_second']:,} posts/s), peak RSS "
                f"{figures['peak_rss_mb']} MB, {int(figures['bytes']) / 2**20:.1f} MB on disk"  # type: ignore[call-overload]
            )


if __name__ == "__main__":
    main()
