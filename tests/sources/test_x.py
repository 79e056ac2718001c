"""XSource against the real tweepy 4.17 client, with HTTP faked by `responses`.

Payloads follow the X API v2 documentation: `data`, `includes.users`, `meta` with
`newest_id`, `oldest_id`, `result_count` and `next_token`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from oauthlib.oauth1 import Client as OAuthClient
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header
from x_api import page, tweet, user

from monitor.config import SourceConfig
from monitor.sources.base import ReplyTarget, SourceError
from monitor.sources.http import RetryPolicy, mount_adapter
from monitor.sources.registry import build_source
from monitor.sources.x import XSource

BRAND = "1000"
BEARER = "AAAAbearer-secret-token-42"
USER_CREDS: dict[str, Any] = {
    "consumer_key": "ck-visible-key",
    "consumer_secret": "cs-very-secret",
    "access_token": "1000-at-secret-token",
    "access_token_secret": "ats-very-secret",
}
MENTIONS = f"https://api.twitter.com/2/users/{BRAND}/mentions"
DM_EVENTS = "https://api.twitter.com/2/dm_events"
RESET = 1_767_225_600  # 2026-01-01T00:00:00Z


def make(sleeps: list[float], **kwargs: Any) -> XSource:
    kwargs.setdefault("bearer_token", BEARER)
    kwargs.setdefault("app_hint", "X_BEARER_TOKEN")
    return XSource("x-main", BRAND, retry=RetryPolicy(sleep=sleeps.append), **kwargs)


def query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def test_follows_pages_and_keeps_first_page_newest_id(http, sleeps):
    reply = tweet("1900", "7", referenced_tweets=[{"type": "replied_to", "id": "1800"}])
    reply["conversation_id"] = "1800"
    headers = {"x-rate-limit-remaining": "448", "x-rate-limit-reset": str(RESET)}
    http.get(
        MENTIONS,
        json=page(
            [tweet("1905", "5"), reply],
            [user("5", "ann", 51_000, True), user("7", "bob", 12)],
            "tok2",
        ),
    )
    http.get(
        MENTIONS, json=page([tweet("1850", "5")], [user("5", "ann", 51_000, True)]), headers=headers
    )

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["1905", "1900", "1850"]
    assert result.cursor == {"since_id": "1905"}
    assert result.complete and result.error is None and result.rejected == []
    first, second = result.posts[0], result.posts[1]
    assert (first.author.handle, first.author.followers, first.author.verified) == (
        "ann",
        51_000,
        True,
    )
    assert (first.kind, first.platform, first.inbound, first.source) == (
        "mention",
        "x",
        True,
        "x-main",
    )
    assert first.created_at == datetime(2026, 1, 2, 10, tzinfo=UTC)
    assert (second.in_reply_to_id, second.conversation_id) == ("1800", "1800")
    assert second.author.followers == 12
    assert query(http.calls[1])["pagination_token"] == "tok2"
    assert "pagination_token" not in query(http.calls[0])
    first_query = query(http.calls[0])
    assert first_query["max_results"] == "100"
    assert first_query["user.fields"] == "username,name,public_metrics,verified"
    assert "author_id" in first_query["expansions"]
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {BEARER}"
    assert result.rate_limit_remaining == 448
    assert result.rate_limit_reset_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_since_id_sent_on_next_poll_and_empty_poll_keeps_cursor(http, sleeps):
    http.get(MENTIONS, json={"meta": {"result_count": 0}})

    result = make(sleeps).fetch({"since_id": "1905"})

    assert query(http.calls[0])["since_id"] == "1905"
    assert result.posts == [] and result.cursor == {"since_id": "1905"}


def test_rate_limit_on_first_page_raises_with_retry_at(http, sleeps):
    http.get(
        MENTIONS,
        status=429,
        json={"title": "Too Many Requests", "status": 429},
        headers={"x-rate-limit-reset": str(RESET), "x-rate-limit-remaining": "0"},
    )

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch({"since_id": "1905"})

    assert caught.value.permanent is False
    assert caught.value.retry_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert len(http.calls) == 1 and sleeps == []  # a 429 is not retried inside the poll


def test_rate_limit_on_second_page_returns_first_page_and_keeps_the_rest_for_later(http, sleeps):
    http.get(MENTIONS, json=page([tweet("1905", "5")], [user("5", "ann", 1)], "tok2"))
    http.get(
        MENTIONS,
        status=429,
        json={"title": "Too Many Requests"},
        headers={"x-rate-limit-reset": str(RESET)},
    )

    result = make(sleeps).fetch({"since_id": "1800"})

    assert [p.external_id for p in result.posts] == ["1905"]
    # The cursor covers what was stored; the next poll asks for mentions below 1905.
    assert result.complete is False and result.cursor == {
        "since_id": "1800",
        "mentions_until_id": "1905",
        "mentions_newest_id": "1905",
    }
    assert result.error is not None and result.error.retry_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_server_error_is_retried_with_backoff_without_sleeping(http, sleeps):
    http.get(MENTIONS, status=503, json={"title": "Service Unavailable"})
    http.get(MENTIONS, body=requests.ConnectTimeout("connect timed out"))
    http.get(MENTIONS, json=page([tweet("1905", "5")], [user("5", "ann", 1)]))

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["1905"]
    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_server_error_every_time_is_a_passing_error_after_bounded_tries(http, sleeps):
    for _ in range(3):
        http.get(MENTIONS, status=500, json={"title": "Internal Error"})

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch(None)

    assert caught.value.permanent is False and caught.value.retry_at is None
    assert len(http.calls) == 3 and len(sleeps) == 2


def test_unauthorized_is_permanent_and_says_what_to_do(http, sleeps):
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    http.get(MENTIONS, status=401, json=body)

    with pytest.raises(SourceError) as caught:
        make(sleeps).fetch(None)

    message = str(caught.value)
    assert caught.value.permanent is True
    assert "X_BEARER_TOKEN" in message and "developer portal" in message
    assert "Unauthorized" in message and BEARER not in message
    assert len(http.calls) == 1


def test_page_two_failing_returns_page_one_and_continues_below_it_next_time(http, sleeps):
    http.get(MENTIONS, json=page([tweet("1905", "5"), tweet("1904", "6")], [], "tok2"))
    for _ in range(3):
        http.get(MENTIONS, status=502, body="<html>bad gateway</html>")

    result = make(sleeps).fetch({"since_id": "1800"})

    assert [p.external_id for p in result.posts] == ["1905", "1904"]
    assert result.posts[1].author.handle == "6"  # author missing from includes: id as handle
    assert result.complete is False and result.cursor == {
        "since_id": "1800",
        "mentions_until_id": "1904",
        "mentions_newest_id": "1905",
    }
    assert result.catching_up and result.backlog == 208  # 2 mentions per id step, 104 ids left
    assert result.error is not None and result.error.permanent is False


def test_malformed_items_are_rejected_with_raw_and_others_kept(http, sleeps):
    no_text = {"id": "1904", "author_id": "5", "created_at": "2026-01-02T10:00:00.000Z"}
    bad_time = tweet("1903", "5", created_at="yesterday")
    no_author = {"id": "1902", "text": "hello", "created_at": "2026-01-02T10:00:00.000Z"}
    items = [tweet("1905", "5"), no_text, bad_time, no_author, "not a tweet", tweet("1901", "5")]
    http.get(MENTIONS, json=page(items, [user("5", "ann", 1)]))

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["1905", "1901"]
    assert result.cursor == {"since_id": "1905"}
    reasons = [r.reason for r in result.rejected]
    assert len(reasons) == 4
    assert "text" in reasons[0] and "yesterday" in reasons[1] and "author_id" in reasons[2]
    assert result.rejected[0].raw == no_text and result.rejected[3].raw == {"value": "not a tweet"}


def test_duplicate_across_pages_appears_once(http, sleeps):
    http.get(MENTIONS, json=page([tweet("1905", "5"), tweet("1904", "5")], [], "tok2"))
    http.get(MENTIONS, json=page([tweet("1904", "5"), tweet("1903", "5")], []))

    result = make(sleeps).fetch(None)

    assert [p.external_id for p in result.posts] == ["1905", "1904", "1903"]


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.x.com", "https://api.x.com/2/users/1000/mentions?"),
        ("http://127.0.0.1:8080/gw/", "http://127.0.0.1:8080/gw/2/users/1000/mentions?"),
    ],
)
def test_base_url_override_sends_to_configured_host(http, sleeps, base_url, expected):
    target = expected.split("?")[0]
    http.get(target, json=page([tweet("1905", "5")], []))

    result = make(sleeps, base_url=base_url, timeout=4.5).fetch(None)

    assert http.calls[0].request.url.startswith(expected)
    assert http.calls[0].request.req_kwargs["timeout"] == 4.5
    assert [p.external_id for p in result.posts] == ["1905"]


def test_default_timeout_applied_without_override(http, sleeps):
    http.get(MENTIONS, json=page([], []))

    make(sleeps).fetch(None)

    assert http.calls[0].request.req_kwargs["timeout"] == 15.0


def test_base_url_rewrite_re_signs_oauth1_for_the_new_host(http, sleeps):
    target = "https://api.x.com/2/users/1000/mentions"
    http.get(target, json=page([], []))
    source = XSource(
        "x-main",
        BRAND,
        retry=RetryPolicy(sleep=sleeps.append),
        base_url="https://api.x.com",
        **USER_CREDS,
    )

    source.fetch(None)

    sent = http.calls[0].request
    params = dict(parse_authorization_header(sent.headers["Authorization"]))
    client = OAuthClient(
        USER_CREDS["consumer_key"],
        client_secret=USER_CREDS["consumer_secret"],
        resource_owner_key=USER_CREDS["access_token"],
        resource_owner_secret=USER_CREDS["access_token_secret"],
        nonce=params["oauth_nonce"],
        timestamp=params["oauth_timestamp"],
    )
    _, expected_headers, _ = client.sign(sent.url, "GET")
    expected = dict(parse_authorization_header(expected_headers["Authorization"]))
    assert params["oauth_signature"] == expected["oauth_signature"]
    assert sent.url.startswith(target)


def dm(event_id: str, sender: str, text: str = "please help", **extra: Any) -> dict:
    return {
        "id": event_id,
        "event_type": "MessageCreate",
        "text": text,
        "sender_id": sender,
        "dm_conversation_id": f"{BRAND}-{sender}" if sender != BRAND else f"{BRAND}-5",
        "created_at": "2026-01-02T11:00:00.000Z",
        **extra,
    }


def test_dms_page_until_last_seen_event_and_mark_brand_messages_outbound(http, sleeps):
    http.get(MENTIONS, json=page([], []))
    join = {"id": "905", "event_type": "ParticipantsJoin", "dm_conversation_id": "c"}
    first = [dm("910", "5"), dm("908", BRAND, "we are on it"), join]
    http.get(
        DM_EVENTS,
        json={
            "data": first,
            "includes": {"users": [user("5", "ann", 3)]},
            "meta": {"result_count": 3, "next_token": "d2"},
        },
    )
    http.get(
        DM_EVENTS,
        json={
            "data": [dm("904", "5"), dm("900", "5"), dm("899", "5")],
            "meta": {"result_count": 3, "next_token": "d3"},
        },
    )

    result = make(sleeps, include_dms=True, **USER_CREDS).fetch({"dm_newest_id": "900"})

    assert [p.external_id for p in result.posts] == ["910", "908", "904"]
    assert result.cursor == {"dm_newest_id": "910"}
    customer, brand = result.posts[0], result.posts[1]
    assert (customer.kind, customer.inbound, customer.author.handle) == ("dm", True, "ann")
    assert customer.conversation_id == "1000-5"
    assert (brand.kind, brand.inbound) == ("reply", False)
    assert len(http.calls) == 3  # stopped at event 900, never asked for page d3
    assert query(http.calls[1])["event_types"] == "MessageCreate"
    assert query(http.calls[2])["pagination_token"] == "d2"
    assert http.calls[1].request.headers["Authorization"].startswith("OAuth ")


def test_dms_failing_keeps_dm_cursor_but_advances_mentions(http, sleeps):
    http.get(MENTIONS, json=page([tweet("1905", "5")], []))
    http.get(DM_EVENTS, status=403, json={"title": "Forbidden", "detail": "not permitted"})
    source = make(sleeps, include_dms=True, user_hint="X_ACCESS_TOKEN", **USER_CREDS)

    result = source.fetch({"since_id": "1800", "dm_newest_id": "900"})

    assert [p.external_id for p in result.posts] == ["1905"]
    assert result.cursor == {"since_id": "1905", "dm_newest_id": "900"}
    assert result.complete is False and result.error is not None
    assert result.error.permanent and "X_ACCESS_TOKEN" in str(result.error)


def test_public_reply_sends_in_reply_to(http, sleeps):
    http.post(
        "https://api.twitter.com/2/tweets",
        status=201,
        json={"data": {"id": "2001", "text": "@ann sorry!"}},
    )
    target = ReplyTarget("x", "mention", external_id="1905", author_external_id="5")

    new_id = make(sleeps, **USER_CREDS).send_reply(target, "@ann sorry!")

    assert new_id == "2001"
    body = json.loads(http.calls[0].request.body)
    assert body == {"text": "@ann sorry!", "reply": {"in_reply_to_tweet_id": "1905"}}


def test_dm_reply_goes_to_the_participant(http, sleeps):
    url = "https://api.twitter.com/2/dm_conversations/with/5/messages"
    http.post(url, status=201, json={"data": {"dm_conversation_id": "1000-5", "dm_event_id": "77"}})
    target = ReplyTarget(
        "x", "dm", external_id="910", author_external_id="5", conversation_id="1000-5"
    )

    assert make(sleeps, **USER_CREDS).send_reply(target, "Sent you a refund") == "77"
    assert json.loads(http.calls[0].request.body) == {"text": "Sent you a refund"}


def test_reply_without_user_tokens_is_permanent(sleeps):
    target = ReplyTarget("x", "mention", external_id="1905", author_external_id="5")
    with pytest.raises(SourceError) as caught:
        make(sleeps).send_reply(target, "hi")
    assert caught.value.permanent


def test_no_token_in_debug_logs(http, sleeps, caplog):
    for name in ("tweepy", "urllib3", "oauthlib", "requests_oauthlib"):
        caplog.set_level(logging.DEBUG, logger=name)
    http.get(MENTIONS, json=page([tweet("1905", "5")], []))
    http.get(DM_EVENTS, json={"data": [], "meta": {"result_count": 0}})

    make(sleeps, include_dms=True, **USER_CREDS).fetch(None)

    assert "Making API request" in caplog.text  # tweepy did log the requests
    assert "Authorization" in caplog.text and "***" in caplog.text
    secrets = [BEARER, *USER_CREDS.values()]
    for record in caplog.records:
        for secret in secrets:
            assert secret not in record.getMessage()
    for secret in secrets:
        assert secret not in caplog.text


def test_build_source_reads_tokens_from_named_variables(sleeps):
    config = SourceConfig(
        name="x-main",
        platform="x",
        user_id=1000,  # type: ignore[arg-type]  # TOML integers are accepted
        bearer_token_env="X_BEARER_TOKEN",
    )
    source = build_source(config, env={"X_BEARER_TOKEN": BEARER})
    assert isinstance(source, XSource) and source.user_id == "1000"

    with pytest.raises(SourceError) as caught:
        build_source(config, env={})
    assert caught.value.permanent and "X_BEARER_TOKEN" in str(caught.value)


def test_source_config_rejects_incomplete_x_settings():
    with pytest.raises(ValueError, match="include_dms"):
        SourceConfig(name="x", platform="x", user_id="1", bearer_token_env="B", include_dms=True)
    with pytest.raises(ValueError, match="all four"):
        SourceConfig(name="x", platform="x", user_id="1", consumer_key_env="K")
    with pytest.raises(ValueError, match="page_id"):
        SourceConfig(name="x", platform="x", user_id="1", bearer_token_env="B", page_id="9")
    with pytest.raises(ValueError, match="extra"):
        SourceConfig(name="x", platform="x", user_id="1", bearer_token_env="B", token="t")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="replay source needs path"):
        SourceConfig(name="r", platform="replay")
    with pytest.raises(ValueError, match="path"):
        SourceConfig(name="d", platform="demo", path="x.csv")


def test_rewrite_leaves_urls_already_under_the_base_alone():
    from monitor.sources.http import rewrite_url

    assert rewrite_url("https://api.twitter.com/2/tweets?a=1", "http://gw:8/x/") == (
        "http://gw:8/x/2/tweets?a=1"
    )
    session = requests.Session()
    adapter = mount_adapter(session, "https://api.twitter.com/", "http://gw:8/x")
    with responses.RequestsMock() as mock:
        mock.get("http://gw:8/x/2/tweets", json={})
        session.get("http://gw:8/x/2/tweets")
        session.get("https://api.twitter.com/2/tweets")
        assert [c.request.url for c in mock.calls] == ["http://gw:8/x/2/tweets"] * 2
    assert adapter.last_response is not None and adapter.last_response.status_code == 200
