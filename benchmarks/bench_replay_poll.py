"""Polling a replay source through a large file: the cost of a poll should not grow with the
offset. Prints ms per poll for the first and the last tenth of the file, and for a poll
that has to reopen the file at its end (a restarted process).
Run: `.venv/bin/python benchmarks/bench_replay_poll.py [--posts 100000] [--per-poll 100]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_ingest import write_twcs

from monitor.sources.stream import ReplaySource


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--per-poll", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "twcs.csv"
        write_twcs(path, args.posts)
        source = ReplaySource("replay", path, posts_per_poll=args.per_poll)
        cursor = None
        timings: list[float] = []
        while True:
            started = time.perf_counter()
            result = source.fetch(cursor)
            timings.append(time.perf_counter() - started)
            if not result.posts:
                break
            cursor = result.cursor
        polls = len(timings) - 1
        tenth = max(polls // 10, 1)
        first = sum(timings[:tenth]) / tenth * 1000
        last = sum(timings[polls - tenth : polls]) / tenth * 1000
        started = time.perf_counter()
        ReplaySource("replay", path, posts_per_poll=args.per_poll).fetch(cursor)
        reopen = (time.perf_counter() - started) * 1000
        print(
            f"{args.posts} rows, {polls} polls of {args.per_poll}: "
            f"first tenth {first:.2f} ms/poll, last tenth {last:.2f} ms/poll, "
            f"whole file {sum(timings):.1f} s; "
            f"a restarted process's first poll at the end: {reopen:.0f} ms"
        )


if __name__ == "__main__":
    main()
