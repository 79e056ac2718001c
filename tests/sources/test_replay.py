from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.models import Case, Post
from monitor.errors import UserFacingError
from monitor.ingest_replay import replay_file
from monitor.sources.replay import (
    MalformedRow,
    ReplayFileError,
    ReplayStats,
    normalise_id,
    parse_twcs_time,
    read_twcs,
)
from monitor.sources.stream import ReplaySource

HEADER = ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
TWCS_SAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "customer-support-twitter"
    / "twcs_first5000rows.csv"
)
FIRST_TEXT = (
    "@115712 I understand. I would like to assist you. We would need to get you into a private "
    "secured link to further assist."
)
BIG_ID = "1790123456789012345"  # 19 digits: a float would round it to ...012344 or so


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))  # bytes: no newline translation
    return path


def _small_file(tmp_path: Path) -> Path:
    """A pandas export: index column, float reply ids, quoted commas and newlines, a bare CR."""
    rows = [
        f'0,1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,"{FIRST_TEXT}",2,3.0',  # line 2
        f"1,{BIG_ID},115712,True,Tue Oct 31 22:11:45 +0000 2017,"
        '"@sprintcare and how, exactly?\nTwo lines.",,1.0',  # lines 3-4
        "2,3,115712,True,Tue Oct 31 22:08:27 +0000 2017,"
        "@sprintcare I have sent several private messages,1,",  # line 5
        "3,3399,116510,True,Tue Oct 31 18:13:06 +0000 2017,"
        "@AskPayPal \r\rI just love the start of email,3398,",  # line 6: bare CRs
        f"4,7,sprintcare,False,Tue Oct 31 23:00:00 +0000 2017,@115712 Sent you a DM,,{BIG_ID}.0",
    ]
    return _write(tmp_path / "sample.csv", HEADER + "\n".join(rows) + "\n")


def test_pandas_export_is_read_with_exact_ids(tmp_path: Path) -> None:
    stats = ReplayStats()
    posts = list(read_twcs(_small_file(tmp_path), source="twcs", stats=stats))
    assert [p.external_id for p in posts] == ["1", BIG_ID, "3", "7"]
    assert [p.in_reply_to_id for p in posts] == ["3", "1", None, BIG_ID]  # never "3.0"
    assert [(p.kind, p.inbound) for p in posts] == [
        ("reply", False),
        ("mention", True),
        ("mention", True),
        ("reply", False),
    ]
    first, second = posts[0], posts[1]
    assert first.text == FIRST_TEXT and first.platform == "x" and first.source == "twcs"
    assert first.author.external_id == first.author.handle == "sprintcare"
    assert first.created_at == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    assert second.text == "@sprintcare and how, exactly?\nTwo lines."
    assert second.raw is not None and second.raw["tweet_id"] == BIG_ID
    assert second.raw["_index"] == "1" and second.raw["in_response_to_tweet_id"] == "1.0"
    assert (stats.rows, stats.malformed) == (5, 1)
    assert stats.examples[0].line == 6  # the physical line, counting the two-line row
    assert "carriage return" in stats.examples[0].reason


def test_bad_rows_are_skipped_and_explained(tmp_path: Path) -> None:
    good = "0,10,42,True,Tue Oct 31 22:10:47 +0000 2017,@brand hello,,"
    rows = [
        good,
        "1,11,42,True,yesterday at noon,@brand bad date,,",
        "2,1.2e+18,42,True,Tue Oct 31 22:10:47 +0000 2017,@brand float id,,",
        "3,13,42,True,Tue Oct 31 22:10:47 +0000 2017,too,many,fields,here",
        "4,14,42,maybe,Tue Oct 31 22:10:47 +0000 2017,@brand inbound?,,",
        "5,15,,True,Tue Oct 31 22:10:47 +0000 2017,@brand nobody,,",
        "6,16,42,True,Tue Oct 31 22:10:47 +0000 2017,@brand bad parent,,abc",
        "7,17,42,False,Wed Nov 01 09:00:00 -0500 2017,@42 fine too,,10.0",
    ]
    stats = ReplayStats()
    posts = list(read_twcs(_write(tmp_path / "bad.csv", HEADER + "\n".join(rows)), stats=stats))
    assert [p.external_id for p in posts] == ["10", "17"]
    assert posts[1].created_at == datetime(2017, 11, 1, 14, 0, tzinfo=UTC)  # -0500 to UTC
    assert stats.rows == 8 and stats.malformed == 6
    reasons = {m.line: m.reason for m in stats.examples}
    assert sorted(reasons) == [3, 4, 5, 6, 7]  # only the first five are kept as examples
    assert "created_at 'yesterday at noon'" in reasons[3]
    assert "tweet_id '1.2e+18' is not an integer id" in reasons[4]
    assert "9 fields instead of 8" in reasons[5]
    assert "inbound 'maybe'" in reasons[6]
    assert "author_id is empty" in reasons[7]


def test_a_bad_byte_deep_in_a_big_file_skips_only_its_row(tmp_path: Path) -> None:
    filler = "".join(
        f"{n},{n},42,True,Tue Oct 31 22:10:47 +0000 2017,@brand row {n} {'x' * 80},,\n"
        for n in range(1, 1001)
    )  # ~100 KB of clean rows: past the part checked up front
    path = tmp_path / "late.csv"
    path.write_bytes(
        (HEADER + filler).encode()
        + b"1001,1001,42,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n"
        + b"1002,1002,42,True,Tue Oct 31 22:10:47 +0000 2017,fine,,\n"
    )
    stats = ReplayStats()
    ids = [p.external_id for p in read_twcs(path, stats=stats)]
    assert len(ids) == 1001 and ids[-1] == "1002" and "1001" not in ids
    assert stats.examples == [MalformedRow(1002, "bytes that are not UTF-8")]


def test_id_and_time_helpers() -> None:
    assert normalise_id("3.0") == "3" and normalise_id(" 42 ") == "42" and normalise_id("") is None
    assert normalise_id(BIG_ID + ".0") == BIG_ID
    with pytest.raises(ValueError):
        normalise_id("1.79e+18")
    assert parse_twcs_time("2017-10-31T22:10:47+01:00") == datetime(
        2017, 10, 31, 21, 10, 47, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "nope.csv", r"File not found: .*nope\.csv.*Check the path"),
        (lambda d: d, r"is a folder, not a file.*contains: other\.csv"),
        (lambda d: _write(d / "empty.csv", ""), r"empty\.csv is empty.*tweet_id, author_id"),
        (lambda d: _write(d / "blank.csv", "\n\n  \n"), r"is empty"),
        (
            lambda d: _write(d / "cols.csv", "id,user,text\n1,2,hi\n"),
            r"missing column\(s\) tweet_id, author_id, inbound, created_at; "
            r"found 'id', 'user', 'text'",
        ),
        (
            lambda d: _write(d / "semi.csv", "tweet_id;author_id;text\n1;2;hi\n"),
            r"separated by something else than commas",
        ),
        (
            lambda d: _write(d / "latin.csv", HEADER + "0,1,42,True,x,caf\xe9,,\n", "latin-1"),
            r"not UTF-8 text \(byte 0xe9 on line 2.*iconv",
        ),
        (lambda d: _write(d / "wide.csv", HEADER, "utf-16"), r"UTF-16 text, not UTF-8"),
    ],
)
def test_unusable_files_give_a_clear_error(tmp_path: Path, make: object, expected: str) -> None:
    _write(tmp_path / "other.csv", HEADER)
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ReplayFileError, match=expected):
        read_twcs(path)  # raises before any iteration
    assert issubclass(ReplayFileError, UserFacingError)  # the CLI prints it without a traceback


def test_replaying_twice_stores_nothing_new(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _small_file(tmp_path)
    first = replay_file(sessions, path, batch_size=2)
    second = replay_file(sessions, path, batch_size=2)
    assert (first.rows_read, first.stored, first.duplicates, first.malformed) == (5, 4, 0, 1)
    assert first.malformed_lines == [6]
    assert (second.stored, second.duplicates, second.malformed) == (0, 4, 1)
    assert "5 rows read, 4 stored, 0 already stored, 1 malformed (line 6: " in first.describe()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 4
        big = session.scalars(select(Post).where(Post.external_id == BIG_ID)).one()
        assert big.text.endswith("Two lines.") and big.source == "replay"
        case = session.scalars(select(Case).where(Case.platform == "x")).one()
        # customer 115712's tweets form one case; the brand's reply to BIG_ID answered it
        assert {p.external_id for p in case.posts} >= {BIG_ID, "3", "7"}
        assert case.status == "waiting"
        assert case.first_response_at == datetime(2017, 10, 31, 23, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Expected:
    rows: int = 5000
    malformed: int = 1
    malformed_line: int = 2589
    inbound: int = 2777
    outbound: int = 2222


def _generated_twcs(path: Path, expected: Expected) -> Path:
    """A stand-in with the real sample's shape, for machines without ../shared."""
    lines = [HEADER.rstrip("\n")]
    broken_row = expected.malformed_line - 1  # data rows start on line 2
    brand_left = expected.outbound
    for n in range(1, expected.rows + 1):
        tweet_id = n
        when = f"Tue Oct 31 {n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d} +0000 2017"
        if n == 1:
            row = f'0,1,sprintcare,False,{when},"{FIRST_TEXT}",2,3.0'
            brand_left -= 1
        elif n == broken_row:
            row = f"{n - 1},{tweet_id},116510,True,{when},@AskPayPal \r\rI just love this,,"
        elif brand_left and n % 2 == 0:
            row = f"{n - 1},{tweet_id},AmazonHelp,False,{when},@{n + 100000} Sorry! ^ZW,,{n - 1}.0"
            brand_left -= 1
        else:
            row = f'{n - 1},{tweet_id},{n + 100000},True,{when},"@AmazonHelp where, is it",{n + 1},'
        lines.append(row)
    return _write(path, "\n".join(lines) + "\n")


def test_real_twcs_sample_replays(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    expected = Expected()
    path = TWCS_SAMPLE
    if not path.exists():  # ../shared is absent (e.g. a fresh clone): same checks, made-up file
        path = _generated_twcs(tmp_path / "twcs_like.csv", expected)
    summary = replay_file(sessions, path)
    assert summary.rows_read == expected.rows
    assert summary.malformed == expected.malformed
    assert summary.malformed_lines == [expected.malformed_line]
    assert summary.stored == summary.rows_read - summary.malformed
    with sessions() as session:
        rows = session.execute(select(Post.inbound, func.count()).group_by(Post.inbound))
        split = {inbound: count for inbound, count in rows}
        assert split == {True: expected.inbound, False: expected.outbound}
        first = session.scalars(select(Post).where(Post.external_id == "1")).one()
        assert first.text == FIRST_TEXT and first.in_reply_to_id == "3" and not first.inbound
        assert first.author.handle == "sprintcare"
        assert session.scalar(select(func.count()).where(Post.external_id.like("%.%"))) == 0


def test_replay_source_pages_through_the_file_and_resumes_from_a_stale_cursor(
    tmp_path: Path,
) -> None:
    path = _small_file(tmp_path)  # 4 good rows (one malformed row is skipped)
    source = ReplaySource("replay", path, posts_per_poll=2)
    first = source.fetch(None)
    second = source.fetch(first.cursor)
    assert [p.external_id for p in first.posts] == ["1", BIG_ID]
    assert [p.external_id for p in second.posts] == ["3", "7"]
    assert second.cursor == {"offset": 4}
    # The second batch was never committed: the stored cursor is still the first one.
    again = source.fetch(first.cursor)
    assert [p.external_id for p in again.posts] == ["3", "7"]
    # A new process starts from the stored cursor, not from the top of the file.
    fresh = ReplaySource("replay", path, posts_per_poll=2)
    assert [p.external_id for p in fresh.fetch(first.cursor).posts] == ["3", "7"]


def test_replay_source_sees_rows_appended_after_it_reached_the_end(tmp_path: Path) -> None:
    path = _small_file(tmp_path)
    source = ReplaySource("replay", path, posts_per_poll=10)
    done = source.fetch(None)
    assert len(done.posts) == 4
    assert source.fetch(done.cursor).posts == []
    with path.open("ab") as handle:
        handle.write(b"5,8,115712,True,Tue Oct 31 23:30:00 +0000 2017,@sprintcare still here,,\n")
    assert [p.external_id for p in source.fetch(done.cursor).posts] == ["8"]


def test_a_platform_column_replays_instagram_and_facebook_posts(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    rows = [
        "tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id,platform",
        "17900000000000001,dana.reyes,True,2026-01-02T10:00:00+00:00,parcel lost,,instagram",
        "17900000000000002,ShopNow,False,2026-01-02T10:05:00+00:00,DM us,17900000000000001,"
        "instagram",
        "1041,51,True,2026-01-02T10:01:00+00:00,refund?,,Facebook",
        "5,ann,True,2026-01-02T10:02:00+00:00,where is it,,",
        "6,bob,True,2026-01-02T10:03:00+00:00,hello,,myspace",
    ]  # fmt: skip
    path = _write(tmp_path / "mixed.csv", "\n".join(rows) + "\n")
    stats = ReplayStats()
    posts = {p.external_id: p for p in read_twcs(path, stats=stats)}
    assert (posts["17900000000000001"].platform, posts["17900000000000001"].kind) == (
        "instagram",
        "comment",
    )
    assert posts["17900000000000002"].kind == "reply" and not posts["17900000000000002"].inbound
    assert (posts["1041"].platform, posts["1041"].kind) == ("facebook", "comment")
    assert (posts["5"].platform, posts["5"].kind) == ("x", "mention")
    assert stats.malformed == 1 and "is not x, facebook or instagram" in stats.examples[0].reason
    summary = replay_file(sessions, path)
    assert summary.stored == 4
    with sessions() as session:
        reply = session.scalars(select(Post).where(Post.external_id == "17900000000000002")).one()
        assert reply.case is not None and reply.case.platform == "instagram"
