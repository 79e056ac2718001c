"""FacebookSource against the real facebook-sdk 3.1.0 client, with HTTP faked by `responses`.

Payloads follow the Graph API documentation: `data`, `paging.cursors.before/after` and
`paging.next`, errors as `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pydantic import ValidationError

from monitor.config import SourceConfig
from monitor.sources.base import ReplyTarget, SourceError
from monitor.sources.facebook import FacebookSource
from monitor.sources.http import RetryPolicy
from monitor.sources.registry import build_source

PAGE = "111"
TOKEN = "EAAGpage-token-secret-123"
GRAPH = "https://graph.facebook.com/v24.0"
POSTS = f"{GRAPH}/{PAGE}/posts"
CONVERSATIONS = f"{GRAPH}/{PAGE}/conversations"


def make(sleeps: list[float], **kwargs: Any) -> FacebookSource:
    kwargs.setdefault("env_hint", "FB_PAGE_TOKEN")
    return FacebookSource("fb-main", PAGE, TOKEN, retry=RetryPolicy(sleep=sleeps.append), **kwargs)


def comment(comment_id: str, author: str, when: str, text: str = "refund please", **extra: Any):
    return {
        "id": comment_id,
        "message": text,
        "created_time": when,
        "from": {"id": author, "name": f"User {author}"},
        **extra,
    }


def listing(items: list[Any], after: str | None = None, url: str = "") -> dict:
    paging: dict[str, Any] = {"cursors": {"before": "QVFIUbefore", "after": after or "QVFIUend"}}
    if after:
        paging["next"] = f"{url}?access_token={TOKEN}&limit=100&after={after}"
    return {"data": items, "paging": paging}


def post(post_id: str, updated: str = "2026-01-02T12:00:00+0000") -> dict:
    return {"id": post_id, "created_time": "2026-01-01T09:00:00+0000", "updated_time": updated}


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def test_comments_across_posts_and_pages(http, sleeps):
    first_post, second_post = f"{PAGE}_1", f"{PAGE}_2"
    comments_1 = f"{GRAPH}/{first_post}/comments"
    http.get(POSTS, json=listing([post(first_post), post(second_post)]))
    http.get(
        comments_1,
        json=listing(
            [comment("1_c3", "55", "2026-01-02T11:00:00+0000")], after="AFTER2", url=comments_1
        ),
    )
    http.get(comments_1, json=listing([comment("1_c1", "56", "2026-01-02T09:00:00+0000")]))
    reply = comment("2_c2", PAGE, "2026-01-02T11:30:00+0000", "We DM'd you", parent={"id": "2_c1"})
    http.get(f"{GRAPH}/{second_post}/comments", json=listing([reply]))

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["1_c3", "1_c1", "2_c2"]
    customer, page_reply = result.posts[0], result.posts[2]
    assert (customer.kind, customer.platform, customer.inbound) == ("comment", "facebook", True)
    assert customer.conversation_id == first_post and customer.in_reply_to_id is None
    assert (customer.author.external_id, customer.author.display_name) == ("55", "User 55")
    assert customer.created_at == datetime(2026, 1, 2, 11, tzinfo=UTC)
    assert (page_reply.kind, page_reply.inbound, page_reply.in_reply_to_id) == (
        "reply",
        False,
        "2_c1",
    )
    assert result.cursor == {"comments_since": "2026-01-02T11:30:00+00:00"}
    assert result.complete
    second_page = query(http.calls[2])
    assert second_page["after"] == ["AFTER2"] and second_page["access_token"] == [TOKEN]
    first_comments = query(http.calls[1])
    assert first_comments["filter"] == ["stream"]
    assert first_comments["order"] == ["reverse_chronological"]
    assert "from{id,name}" in first_comments["fields"][0]
    assert all("/v24.0/" in call.request.url for call in http.calls)


def test_next_poll_skips_quiet_posts_and_stops_at_the_cursor(http, sleeps):
    busy, quiet = f"{PAGE}_1", f"{PAGE}_2"
    comments = f"{GRAPH}/{busy}/comments"
    http.get(POSTS, json=listing([post(busy), post(quiet, "2026-01-01T10:00:00+0000")]))
    http.get(
        comments,
        json=listing(
            [
                comment("c9", "55", "2026-01-02T11:00:00+0000"),
                comment("c8", "56", "2026-01-02T10:00:00+0000"),
                comment("c7", "56", "2026-01-02T09:00:00+0000"),
            ],
            after="MORE",
            url=comments,
        ),
    )

    result = make(sleeps).fetch({"comments_since": "2026-01-02T10:00:00+00:00"})

    assert [p.external_id for p in result.posts] == ["c9", "c8"]  # same second is kept
    assert result.cursor == {"comments_since": "2026-01-02T11:00:00+00:00"}
    assert len(http.calls) == 2  # no comments call for the quiet post, no page after c7


def test_messenger_messages_with_page_replies_outbound(http, sleeps):
    http.get(POSTS, json=listing([]))
    messages = {
        "data": [
            {
                "id": "m_3",
                "message": "thanks",
                "created_time": "2026-01-02T12:00:00+0000",
                "from": {"id": PAGE, "name": "Brand", "email": f"{PAGE}@facebook.com"},
            },
            {
                "id": "m_2",
                "message": "where is my parcel?",
                "created_time": "2026-01-02T11:00:00+0000",
                "from": {"id": "77", "name": "Carla", "email": "77@facebook.com"},
            },
            {
                "id": "m_1",
                "message": "old",
                "created_time": "2026-01-01T08:00:00+0000",
                "from": {"id": "77", "name": "Carla"},
            },
        ],
        "paging": {"cursors": {"after": "x"}},
    }
    conversations = [
        {"id": "t_1", "updated_time": "2026-01-02T12:00:00+0000", "messages": messages},
        {"id": "t_0", "updated_time": "2026-01-01T07:00:00+0000", "messages": {"data": []}},
    ]
    http.get(CONVERSATIONS, json=listing(conversations, after="C2", url=CONVERSATIONS))

    result = make(sleeps, include_messenger=True).fetch(
        {"messages_since": "2026-01-01T10:00:00+00:00"}
    )

    assert [p.external_id for p in result.posts] == ["m_3", "m_2"]
    page_msg, customer = result.posts
    assert (customer.kind, customer.inbound, customer.conversation_id) == ("dm", True, "t_1")
    assert customer.author.handle == "Carla"
    assert (page_msg.kind, page_msg.inbound) == ("reply", False)
    # The pass finished in one poll: the next one reads messages from this poll's since on.
    assert result.cursor == {
        "messages_since": "2026-01-02T12:00:00+00:00",
        "messages_floor": "2026-01-01T10:00:00+00:00",
    }
    assert query(http.calls[1])["platform"] == ["messenger"]
    assert len(http.calls) == 2  # t_0 is older than the cursor: no second page


def _message(number: int) -> dict:
    return {
        "id": f"m_{number}",
        "message": f"message {number}",
        "created_time": f"2026-01-02T11:{number:02d}:00+0000",
        "from": {"id": "77", "name": "Carla"},
    }


def test_a_conversation_with_more_new_messages_than_embedded_is_read_to_the_floor(http, sleeps):
    """Messenger embeds 25 messages per conversation: the older new ones are paged for."""
    newest = [_message(n) for n in range(40, 15, -1)]  # 25 embedded, 11:40 down to 11:16
    url = f"{GRAPH}/t_1/messages"
    embedded = listing(newest, after="M2", url=url)
    conversation = {"id": "t_1", "updated_time": "2026-01-02T11:40:00+0000", "messages": embedded}
    http.get(POSTS, json=listing([]))
    http.get(CONVERSATIONS, json=listing([conversation]))
    older = [_message(n) for n in range(15, 0, -1)]  # 11:15 down to 11:01
    http.get(url, json=listing(older))

    result = make(sleeps, include_messenger=True).fetch(
        {"messages_since": "2026-01-02T11:05:00+00:00"}
    )

    ids = [p.external_id for p in result.posts]
    assert ids == [f"m_{n}" for n in range(40, 4, -1)]  # down to the floor (11:05), no gap
    assert query(http.calls[-1])["after"] == ["M2"] and result.complete


def test_a_failed_message_page_reads_the_conversations_again_next_poll(http, sleeps):
    newest = [_message(n) for n in range(40, 15, -1)]
    url = f"{GRAPH}/t_1/messages"
    conversation = {
        "id": "t_1",
        "updated_time": "2026-01-02T11:40:00+0000",
        "messages": listing(newest, after="M2", url=url),
    }
    http.get(POSTS, json=listing([]))
    http.get(CONVERSATIONS, json=listing([conversation], after="C2", url=CONVERSATIONS))
    for _ in range(3):
        http.get(url, status=503, body="unavailable", content_type="text/plain")

    result = make(sleeps, include_messenger=True).fetch(
        {"messages_since": "2026-01-02T11:05:00+00:00"}
    )

    assert result.complete is False and result.catching_up
    assert result.cursor is not None
    assert result.cursor["messages_since"] == "2026-01-02T11:05:00+00:00"  # not moved past
    assert "after" not in result.cursor["messages_after"]  # this first page, again


def test_rate_limit_is_passing_with_retry_at_from_usage_header(http, sleeps):
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    error = {
        "error": {
            "message": "(#32) Page request limit reached",
            "type": "OAuthException",
            "code": 32,
            "fbtrace_id": "Abc",
        }
    }
    http.get(
        POSTS, status=400, json=error, headers={"x-business-use-case-usage": json.dumps(usage)}
    )
    before = datetime.now(UTC)

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch({"comments_since": "2026-01-02T10:00:00+00:00"})

    assert caught.value.permanent is False and caught.value.retry_at is not None
    wait = caught.value.retry_at - before
    assert timedelta(minutes=7) <= wait < timedelta(minutes=8)
    assert len(http.calls) == 1 and sleeps == []


def test_rate_limit_without_usage_header_waits_fifteen_minutes(http, sleeps):
    error = {
        "error": {
            "message": "(#4) Application request limit reached",
            "code": 4,
            "type": "OAuthException",
        }
    }
    http.get(POSTS, status=403, json=error)
    before = datetime.now(UTC)

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch(None)

    assert caught.value.retry_at is not None
    assert timedelta(minutes=15) <= caught.value.retry_at - before < timedelta(minutes=16)


def test_transient_errors_are_retried_then_succeed(http, sleeps):
    transient = {
        "error": {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException",
            "is_transient": True,
            "code": 2,
        }
    }
    http.get(POSTS, status=500, json=transient)
    http.get(POSTS, status=502, body="<html>Bad Gateway</html>", content_type="text/html")
    http.get(POSTS, json=listing([]))

    result = make(sleeps).fetch(None)

    assert result.complete and result.posts == []
    assert len(http.calls) == 3 and len(sleeps) == 2


def test_timeouts_exhaust_bounded_retries_into_a_passing_error(http, sleeps):
    for _ in range(3):
        http.get(POSTS, body=requests.ReadTimeout(f"read timed out: /posts?access_token={TOKEN}"))

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch(None)

    assert caught.value.permanent is False and len(sleeps) == 2
    assert TOKEN not in str(caught.value)


def test_expired_token_is_permanent_and_says_how_to_fix(http, sleeps):
    error = {
        "error": {
            "message": "Error validating access token: Session has expired on "
            "Thursday, 01-Jan-26 00:00:00 PST.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "A1",
        }
    }
    http.get(POSTS, status=400, json=error)

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch(None)

    message = str(caught.value)
    assert caught.value.permanent is True
    assert "expired" in message and "long-lived Page access token" in message
    assert "FB_PAGE_TOKEN" in message and "190" in message and TOKEN not in message
    assert len(http.calls) == 1


def test_failure_on_second_post_keeps_first_and_old_since(http, sleeps):
    http.get(POSTS, json=listing([post(f"{PAGE}_1"), post(f"{PAGE}_2")]))
    http.get(
        f"{GRAPH}/{PAGE}_1/comments",
        json=listing([comment("c1", "55", "2026-01-02T11:00:00+0000")]),
    )
    for _ in range(3):
        http.get(
            f"{GRAPH}/{PAGE}_2/comments", status=503, body="unavailable", content_type="text/plain"
        )

    result = make(sleeps).fetch({"comments_since": "2026-01-02T08:00:00+00:00"})

    assert [p.external_id for p in result.posts] == ["c1"]
    assert result.complete is False and result.error is not None
    assert result.error.permanent is False
    # The since stays until every post is read; the newest comment stored is remembered.
    assert result.cursor == {
        "comments_since": "2026-01-02T08:00:00+00:00",
        "comments_newest": "2026-01-02T11:00:00+00:00",
    }
    assert result.catching_up


def test_malformed_comments_are_rejected_and_others_kept(http, sleeps):
    no_author = {"id": "c3", "message": "hi", "created_time": "2026-01-02T11:00:00+0000"}
    bad_time = comment("c2", "55", "02/01/2026")
    no_id = {"message": "?", "created_time": "2026-01-02T11:00:00+0000", "from": {"id": "5"}}
    good = comment("c1", "55", "2026-01-02T10:00:00+0000")
    http.get(POSTS, json=listing([post(f"{PAGE}_1")]))
    http.get(f"{GRAPH}/{PAGE}_1/comments", json=listing([no_author, bad_time, no_id, good]))

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["c1"]
    assert [r.raw for r in result.rejected] == [no_author, bad_time, no_id]
    assert "pages_read_user_content" in result.rejected[0].reason
    assert "02/01/2026" in result.rejected[1].reason
    # The rejected items are stored too (raw), so the cursor moves past the newest of them.
    assert result.cursor == {"comments_since": "2026-01-02T11:00:00+00:00"}


def test_duplicate_comment_across_pages_appears_once(http, sleeps):
    url = f"{GRAPH}/{PAGE}_1/comments"
    same = comment("c2", "55", "2026-01-02T11:00:00+0000")
    http.get(POSTS, json=listing([post(f"{PAGE}_1")]))
    http.get(url, json=listing([same], after="P2", url=url))
    http.get(url, json=listing([same, comment("c1", "55", "2026-01-02T10:00:00+0000")]))

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["c2", "c1"]


def test_base_url_and_version_overrides_reach_the_wire(http, sleeps):
    http.get("http://127.0.0.1:8099/graph/v23.0/111/posts", json=listing([]))

    source = make(sleeps, base_url="http://127.0.0.1:8099/graph", graph_version="23.0")
    source.fetch(None)

    assert source.graph.version == "v23.0"
    assert http.calls[0].request.url.startswith("http://127.0.0.1:8099/graph/v23.0/111/posts?")


def test_default_version_is_v24(sleeps):
    assert make(sleeps).graph.version == "v24.0"
    with pytest.raises(SourceError):
        make(sleeps, graph_version="latest")


def test_comment_reply_posts_message(http, sleeps):
    http.post(f"{GRAPH}/c1/comments", json={"id": "111_1_c9"})
    target = ReplyTarget("facebook", "comment", external_id="c1", author_external_id="55")

    assert make(sleeps).send_reply(target, "Sorry! Check your DMs.") == "111_1_c9"
    body = parse_qs(http.calls[0].request.body)
    assert body["message"] == ["Sorry! Check your DMs."] and body["access_token"] == [TOKEN]


def test_messenger_reply_posts_recipient_and_message(http, sleeps):
    http.post(f"{GRAPH}/{PAGE}/messages", json={"recipient_id": "77", "message_id": "m_99"})
    target = ReplyTarget(
        "facebook", "dm", external_id="m_2", author_external_id="77", conversation_id="t_1"
    )

    assert make(sleeps).send_reply(target, "Refund issued") == "m_99"
    body = parse_qs(http.calls[0].request.body)
    assert json.loads(body["recipient"][0]) == {"id": "77"}
    assert json.loads(body["message"][0]) == {"text": "Refund issued"}
    assert body["messaging_type"] == ["RESPONSE"]


def test_messenger_reply_outside_window_is_explained(http, sleeps):
    error = {
        "error": {
            "message": "(#10) This message is sent outside of allowed window.",
            "type": "OAuthException",
            "code": 10,
            "error_subcode": 2018278,
        }
    }
    http.post(f"{GRAPH}/{PAGE}/messages", status=400, json=error)
    target = ReplyTarget("facebook", "dm", external_id="m_2", author_external_id="77")

    with pytest.raises(SourceError) as caught:
        make(sleeps).send_reply(target, "hello")
    assert caught.value.permanent and "24-hour" in str(caught.value)


class _Graph(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"data": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_no_token_in_debug_logs_over_real_http(sleeps, caplog):
    caplog.set_level(logging.DEBUG, logger="urllib3")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Graph)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        make(sleeps, base_url=base, timeout=5).fetch(None)
    finally:
        server.shutdown()
        server.server_close()

    assert "/v24.0/111/posts" in caplog.text  # urllib3 did log the request line
    assert "access_token=***" in caplog.text
    assert TOKEN not in caplog.text


def test_build_source_and_config_checks():
    config = SourceConfig(
        name="fb",
        platform="facebook",
        page_id=111,  # type: ignore[arg-type]  # TOML integers are accepted
        page_token_env="FB_PAGE_TOKEN",
        include_messenger=True,
    )
    source = build_source(config, env={"FB_PAGE_TOKEN": TOKEN})
    assert isinstance(source, FacebookSource) and source.graph.version == "v24.0"
    assert source.page_id == "111" and source.include_messenger

    with pytest.raises(SourceError) as caught:
        build_source(config, env={"OTHER": "x"})
    assert caught.value.permanent and "FB_PAGE_TOKEN" in str(caught.value)

    with pytest.raises(ValidationError, match="user_id"):
        SourceConfig(name="fb", platform="facebook", page_id="1", page_token_env="T", user_id="5")
    with pytest.raises(ValidationError, match="graph_version"):
        SourceConfig(
            name="fb", platform="facebook", page_id="1", page_token_env="T", graph_version="latest"
        )
    with pytest.raises(ValidationError, match="frozen"):
        config.name = "other"
