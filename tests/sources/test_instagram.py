"""InstagramSource against a local Graph server over real HTTP, through the real facebook-sdk
client: comments across pages with replies and their media, tags (mentions), DMs, replies
back, a 429 with the business-use-case usage header, an expired token, a malformed item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fake_instagram_api import IG_USER, PAGE, Script, comment, expired_token, rate_limited, serve

from monitor.config import SourceConfig
from monitor.sources.base import ReplyTarget, SourceError
from monitor.sources.http import RetryPolicy
from monitor.sources.instagram import InstagramSource
from monitor.sources.registry import build_source

MEDIA = {"id": "9001", "timestamp": "2026-01-01T09:00:00+0000", "permalink": "https://ig/p/1",
         "caption": "New season, new looks"}  # fmt: skip


@pytest.fixture
def script() -> Script:
    reply = comment("c2r", IG_USER, 5, "Sorry! Please check your DMs", parent_id="c2")
    items = [
        comment("c1", "501", 1),
        comment("c2", "502", 2, replies={"data": [reply]}),
        comment("c3", "503", 3),
        comment("c4", "504", 4),
    ]
    conversation = {
        "id": "t_1",
        "updated_time": "2026-01-02T10:30:00+0000",
        "messages": {"data": [{"id": "m_1", "message": "my parcel is lost",
                               "created_time": "2026-01-02T10:30:00+0000",
                               "from": {"id": "7001", "username": "dana.reyes"}}]},
    }  # fmt: skip
    tag = {"id": "9100", "caption": "@shopnow my order arrived broken", "username": "sam.k",
           "timestamp": "2026-01-02T10:40:00+0000", "permalink": "https://ig/p/9"}  # fmt: skip
    return Script(media=[MEDIA], comments={"9001": items}, conversations=[conversation], tags=[tag])


@pytest.fixture
def base_url(script: Script) -> Iterator[str]:
    server = serve(script)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def make(base_url: str, **kwargs: object) -> InstagramSource:
    return InstagramSource(
        "ig-main", PAGE, IG_USER, "page-token-secret", base_url=base_url,
        retry=RetryPolicy(sleep=lambda s: None), env_hint="IG_PAGE_TOKEN", **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_comments_across_pages_with_replies_media_and_dms(script: Script, base_url: str) -> None:
    result = make(base_url, include_messages=True).fetch(None)
    assert result.complete and result.error is None
    posts = {p.external_id: p for p in result.posts}
    assert set(posts) == {"c1", "c2", "c2r", "c3", "c4", "m_1", "9100"}
    assert posts["9100"].kind == "mention" and posts["9100"].author.handle == "sam.k"
    assert {p.platform for p in posts.values()} == {"instagram"}
    assert posts["c1"].kind == "comment" and posts["c1"].conversation_id == "9001"
    assert posts["c1"].raw and posts["c1"].raw["media"]["permalink"] == "https://ig/p/1"
    assert posts["c2r"].kind == "reply" and not posts["c2r"].inbound  # our own reply
    assert posts["c2r"].in_reply_to_id == "c2"
    assert posts["m_1"].kind == "dm" and posts["m_1"].author.handle == "dana.reyes"
    assert any("platform=instagram" in path for path in script.requests)
    assert sum("/9001/comments" in path for path in script.requests) == 2  # two pages
    assert result.cursor and result.cursor["comments_since"].startswith("2026-01-02T10:05")
    # The next poll keeps what is new, and what came in the newest second seen (a comment
    # written in that same second is not lost; the stored one is dropped as a duplicate).
    script.comments["9001"].insert(0, comment("c5", "505", 9))
    again = make(base_url).fetch(result.cursor)
    assert {p.external_id for p in again.posts} == {"c5", "c2r", "9100"}  # same second again
    assert again.cursor and again.cursor["tags_since"].startswith("2026-01-02T10:40")


def test_a_429_with_the_usage_header_waits_as_long_as_it_says(script: Script, base_url: str):
    script.failures[1] = script.failures[2] = rate_limited(minutes=17)  # media and tags
    with pytest.raises(SourceError) as raised:
        make(base_url).fetch(None)
    error = raised.value
    assert not error.permanent and error.retry_at is not None
    wait = error.retry_at - datetime.now(UTC)
    assert timedelta(minutes=16) < wait <= timedelta(minutes=17)
    assert "Instagram source 'ig-main'" in str(error) and "rate limit" in str(error)


def test_an_expired_token_is_permanent_and_names_the_variable(script: Script, base_url: str):
    script.failures[1] = script.failures[2] = expired_token()
    with pytest.raises(SourceError) as raised:
        make(base_url).fetch(None)
    assert raised.value.permanent
    assert "IG_PAGE_TOKEN" in str(raised.value) and "page-token-secret" not in str(raised.value)


def test_a_malformed_comment_is_kept_raw_and_the_rest_stored(script: Script, base_url: str):
    script.comments["9001"][1] = {"id": "c2", "text": "no author or time"}
    result = make(base_url).fetch(None)
    assert {p.external_id for p in result.posts} == {"c1", "c3", "c4", "9100"}
    [rejected] = result.rejected
    assert rejected.raw["id"] == "c2" and "no time" in rejected.reason


def test_a_failed_second_page_keeps_the_cursor(script: Script, base_url: str) -> None:
    script.failures[3] = (500, {"error": {"message": "oops", "code": 2, "is_transient": True}}, {})
    script.failures[4] = script.failures[5] = script.failures[6] = script.failures[3]
    result = make(base_url).fetch({"comments_since": "2026-01-01T00:00:00+00:00"})
    assert {p.external_id for p in result.posts} == {"c1", "c2", "c2r", "c3", "9100"}
    assert result.error is not None
    # `comments_since` stays; the failed page is where the next poll goes on.
    assert result.cursor == {
        "comments_since": "2026-01-01T00:00:00+00:00",
        "comments_pending": {"9001": {"after": "3"}},
        "comments_newest": "2026-01-02T10:05:00+00:00",
        "tags_since": "2026-01-02T10:40:00+00:00",
    }
    script.failures.clear()
    resumed = make(base_url).fetch(result.cursor)
    assert {p.external_id for p in resumed.posts} == {"c4", "9100"}
    assert resumed.cursor and resumed.cursor["comments_since"] == "2026-01-02T10:05:00+00:00"
    assert "comments_pending" not in resumed.cursor


def test_a_backlog_beyond_the_page_budget_is_read_on_by_the_next_polls(script, base_url):
    source = make(base_url, max_pages=1)
    first = source.fetch(None)
    assert {p.external_id for p in first.posts} == {"c1", "c2", "c2r", "c3", "9100"}
    assert first.cursor and first.cursor["comments_pending"] == {"9001": {"after": "3"}}
    assert "comments_since" not in first.cursor  # nothing is skipped while a backlog is left
    second = source.fetch(first.cursor)
    assert {p.external_id for p in second.posts} == {"c4", "9100"}
    assert second.cursor and second.cursor["comments_since"] == "2026-01-02T10:05:00+00:00"


def test_replies_go_to_the_comment_or_the_thread(script: Script, base_url: str) -> None:
    source = make(base_url)
    public = source.send_reply(ReplyTarget("instagram", "comment", "c1", "501"), "We're on it")
    private = source.send_reply(ReplyTarget("instagram", "dm", "m_1", "7001"), "Thanks, Dana")
    assert (public, private) == ("1799", "m_new")
    paths = [path for path, _ in script.posted]
    assert paths == ["/v24.0/c1/replies", f"/v24.0/{PAGE}/messages"]
    assert script.posted[0][1]["message"] == ["We're on it"]


def test_config_builds_the_source_and_names_missing_fields() -> None:
    config = SourceConfig(
        name="ig-shop", platform="instagram", page_id=PAGE, ig_user_id=17841400000000001,
        page_token_env="IG_TOKEN", include_dms=True,
    )  # fmt: skip
    source = build_source(config, {"IG_TOKEN": "t"})
    assert isinstance(source, InstagramSource) and source.include_messenger
    assert source.ig_user_id == "17841400000000001"
    with pytest.raises(ValueError, match="needs ig_user_id"):
        SourceConfig(name="ig", platform="instagram", page_id=PAGE, page_token_env="IG_TOKEN")
