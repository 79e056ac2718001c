"""Rows with impossible times are rejected and reported, and replay moves past them: a
row in year 1 or 9999 once stopped a replay source for good (OverflowError on every poll)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.models import Post, RejectedPayload
from monitor.polling import poll_source
from monitor.sources.replay import ReplayStats, read_twcs
from monitor.sources.stream import ReplaySource

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
GOOD = "Tue Oct 31 22:10:47 +0000 2017"
BAD_TIMES = [
    "Mon Jan 01 00:00:00 +0100 0001",  # overflows once moved to UTC
    "Fri Dec 31 23:59:59 -0100 9999",  # overflows the other way
    "Fri Dec 31 23:59:59 +0000 9999",  # parses, but cannot have happened
    "Sat Jan 01 00:00:00 +0000 0001",
    "1999-12-31T23:59:59",
]


def _file(tmp_path: Path, bad: str) -> Path:
    path = tmp_path / "posts.csv"
    path.write_text(
        HEADER
        + f"1,a,True,{GOOD},first,,\n"
        + f"2,a,True,{bad},impossible,,\n"
        + f"3,a,True,{GOOD},third,,\n"
        + f"4,a,True,{GOOD},fourth,,\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("bad", BAD_TIMES)
def test_impossible_times_are_skipped_with_their_line(tmp_path: Path, bad: str) -> None:
    stats = ReplayStats()
    posts = list(read_twcs(_file(tmp_path, bad), stats=stats))
    assert [p.external_id for p in posts] == ["1", "3", "4"]
    assert [m.line for m in stats.examples] == [3]
    assert "not a possible time" in stats.examples[0].reason


@pytest.mark.parametrize("bad", BAD_TIMES[:3])
def test_replay_source_moves_past_and_reports_them(
    tmp_path: Path, bad: str, engine, session: Session
) -> None:
    source = ReplaySource("replay", _file(tmp_path, bad), posts_per_poll=2)
    factory = sessionmaker(engine, expire_on_commit=False)
    first = poll_source(engine, factory, source)
    second = poll_source(engine, factory, source)
    assert (first.stored, first.rejected) == (2, 1)  # rows 1 and 3; row 2 reported
    assert (second.stored, second.rejected) == (1, 0)  # row 4: the cursor moved on
    assert sorted(session.scalars(select(Post.external_id))) == ["1", "3", "4"]
    [kept] = session.scalars(select(RejectedPayload)).all()
    assert kept.reason.startswith("line 3: created_at") and kept.raw["line"] == 3
    # A new process resuming from the stored cursor does not report the row again.
    again = poll_source(engine, factory, ReplaySource("replay", source.path, posts_per_poll=2))
    assert again.rejected == 0
