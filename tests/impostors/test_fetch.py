"""Fetching replies under customers' posts within the budget: the real tweepy and facebook-sdk
clients, HTTP faked at the requests layer, a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from x_api import page, tweet, user

from monitor.config import BrandSettings, FetchSettings, ImpostorSettings
from monitor.db.models import Case, ImpostorCheck, Post, ReplyScan, SourceState
from monitor.impostors.job import run_impostor_checks
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost
from monitor.sources.facebook import FacebookSource
from monitor.sources.http import RetryPolicy
from monitor.sources.instagram import InstagramSource
from monitor.sources.x import XSource

BRAND = BrandSettings(name="ShopNow", accounts=("ShopNowHelp",), domains=("shopnow.com",))
SEARCH = "https://api.twitter.com/2/tweets/search/recent"
NOW = datetime(2026, 1, 2, 10, 30, tzinfo=UTC)
RESET = 1_767_350_000
CUSTOMER = AuthorInfo("x", "501", "dana", "Dana")
LINK = "https://shopnow-refunds.net/claim"
IMPOSTOR_PAGE = {"id": "9", "name": "ShopNow Help Center"}


def customer_post(session: Session, tweet_id: str, *, source: str = "x-main", urgency: float = 60,
                  platform: str = "x", kind: str = "mention") -> int:  # fmt: skip
    # One customer per post, so each post is its own case with its own urgency.
    author = AuthorInfo(platform, f"5{tweet_id}", f"dana{tweet_id}", "Dana")
    if tweet_id == "100":
        author = CUSTOMER
    store_posts(
        session,
        [IncomingPost(platform, tweet_id, kind, author, "my $900 TV never arrived",
                      NOW - timedelta(minutes=20), source=source, conversation_id=tweet_id)],
    )  # fmt: skip
    post = session.scalars(select(Post).where(Post.external_id == tweet_id)).one()
    assert post.case is not None
    post.case.priority = urgency
    session.commit()
    return post.case.id


def x_source() -> XSource:
    return XSource(
        "x-main", "1000", bearer_token="AAAA-bearer", retry=RetryPolicy(sleep=lambda s: None)
    )


def settings(**fetch: Any) -> ImpostorSettings:
    return ImpostorSettings(fetch=FetchSettings(**fetch))


def run(engine, sessions, sources, **fetch: Any):  # type: ignore[no-untyped-def]
    return run_impostor_checks(engine, sessions, BRAND, settings(**fetch), sources, now=NOW)


def test_x_conversation_search_stores_and_checks_third_party_replies(
    http, engine, sessions, session
):
    case_id = customer_post(session, "100")
    replied = [{"type": "replied_to", "id": "100"}]
    links = {"urls": [{"url": "https://t.co/x", "expanded_url": LINK}]}
    impostor = tweet("103", "666", "@dana Sorry! Call our support line +1-888-402-7719",
                     conversation_id="100", referenced_tweets=replied, entities=links)  # fmt: skip
    ours = tweet("102", "1000", "@dana We're on it, please check your DMs",
                 conversation_id="100", referenced_tweets=replied)  # fmt: skip
    follow_up = tweet("101", "501", "@ShopNowHelp still waiting", conversation_id="100",
                      referenced_tweets=replied)  # fmt: skip
    bystander = tweet("105", "777", "@dana same here, mine never came either",
                      conversation_id="100", referenced_tweets=replied)  # fmt: skip
    young = dict(user("666", "ShopNowHe1p", 3), created_at="2026-01-01T08:00:00.000Z")
    users = [young, user("1000", "ShopNowHelp", 250_000, True), user("501", "dana", 40),
             user("777", "pat", 80)]  # fmt: skip
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(RESET)}
    call = http.get(SEARCH, json=page([impostor, ours, follow_up, bystander, {"id": "104"}], users),
                    headers=headers)  # fmt: skip

    outcome = run(engine, sessions, {"x-main": x_source()})

    asked = parse_qs(urlsplit(call.calls[0].request.url).query)
    assert asked["query"] == ["conversation_id:100"]
    assert "created_at" in asked["user.fields"][0]
    assert (outcome.fetched, outcome.stored, outcome.flagged) == (1, 1, 1)
    session.expire_all()
    stored = {p.external_id: p for p in session.scalars(select(Post))}
    assert stored["103"].third_party and stored["103"].case_id == case_id
    assert not stored["103"].inbound
    assert stored["102"].inbound is False and not stored["102"].third_party  # our own reply
    assert stored["101"].inbound and stored["101"].case_id == case_id  # the customer's own
    # Another customer complaining too is stored as the mention poll would: their own case.
    assert stored["105"].inbound and not stored["105"].third_party
    assert stored["105"].case_id not in (None, case_id)
    check = session.scalars(select(ImpostorCheck)).one()
    assert {"lookalike_name", "phone", "foreign_link", "new_account", "few_followers"} <= set(
        check.factors
    )
    assert session.get_one(Case, case_id).first_response_at is not None
    scan = session.get_one(ReplyScan, stored["100"].id)
    assert (scan.scans, scan.replies_found) == (1, 1)
    state = session.get_one(SourceState, "x-main#replies")
    assert state.rate_limit_remaining == 0 and state.healthy

    # The search window is used up: the next run makes no call (responses would refuse it).
    again = run(engine, sessions, {"x-main": x_source()}, rescan_minutes=1)
    assert again.fetched == 0 and "rate-limited" in again.describe()


def test_only_urgent_recent_unscanned_posts_within_the_budget(http, engine, sessions, session):
    customer_post(session, "200", urgency=90)
    customer_post(session, "300", urgency=20)  # below min_urgency
    store_posts(
        session,
        [IncomingPost("x", "400", "mention", AuthorInfo("x", "502", "eve"), "where is my order",
                      NOW - timedelta(hours=9), source="x-main", conversation_id="400")],
    )  # fmt: skip
    session.commit()
    customer_post(session, "500", urgency=70)
    http.get(SEARCH, json=page([], []), headers={"x-rate-limit-remaining": "400"})
    first = run(engine, sessions, {"x-main": x_source()}, x_searches_per_run=1)
    assert first.fetched == 1
    assert parse_qs(urlsplit(http.calls[0].request.url).query)["query"] == [
        "conversation_id:200"
    ]  # the most urgent first
    second = run(engine, sessions, {"x-main": x_source()}, x_searches_per_run=5)
    assert second.fetched == 1  # 200 was scanned moments ago; 300 is calm; 400 is too old
    assert parse_qs(urlsplit(http.calls[1].request.url).query)["query"] == ["conversation_id:500"]


def test_a_429_stops_spending_and_is_recorded(http, engine, sessions, session):
    customer_post(session, "200", urgency=90)
    customer_post(session, "500", urgency=70)
    http.get(SEARCH, status=429, json={"title": "Too Many Requests"},
             headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(RESET)})  # fmt: skip
    outcome = run(engine, sessions, {"x-main": x_source()})
    assert outcome.fetched == 0 and len(http.calls) == 1  # the second post is not tried
    state = session.get_one(SourceState, "x-main#replies")
    assert state.rate_limit_reset_at == datetime.fromtimestamp(RESET, UTC)
    assert "rate limit" in (state.last_error or "")
    scan = session.scalars(select(ReplyScan)).one()
    assert "rate limit" in (scan.last_error or "")


@pytest.mark.parametrize("status", [401])
def test_a_bad_token_marks_the_reply_fetch_unhealthy(http, engine, sessions, session, status):
    customer_post(session, "200", urgency=90)
    http.get(SEARCH, status=status, json={"title": "Unauthorized"})
    run(engine, sessions, {"x-main": x_source()})
    state = session.get_one(SourceState, "x-main#replies")
    assert not state.healthy and "refused the credentials" in (state.last_error or "")
    assert "AAAA-bearer" not in (state.last_error or "")


def test_facebook_replies_to_a_comment(http, engine, sessions, session):
    case_id = customer_post(session, "104_c1", source="fb-main", platform="facebook",
                            kind="comment")  # fmt: skip
    replies = {
        "data": [
            {"id": "104_c2", "message": "Hi! Message our team on WhatsApp +44 7700 900412",
             "created_time": "2026-01-02T10:20:00+0000", "from": IMPOSTOR_PAGE,
             "parent": {"id": "104_c1"}},
            {"id": "104_c3", "message": "We're looking into it, check your inbox",
             "created_time": "2026-01-02T10:21:00+0000", "from": {"id": "104", "name": "ShopNow"},
             "parent": {"id": "104_c1"}},
            {"id": "104_c4", "created_time": "nonsense"},
        ]
    }  # fmt: skip
    call = http.get("https://graph.facebook.com/v24.0/104_c1/comments", json=replies)
    source = FacebookSource("fb-main", "104", "page-token", retry=RetryPolicy(sleep=lambda s: None))
    outcome = run(engine, sessions, {"fb-main": source})
    assert "from" in parse_qs(urlsplit(call.calls[0].request.url).query)["fields"][0]
    assert (outcome.fetched, outcome.stored, outcome.flagged) == (1, 1, 1)
    third = session.scalars(select(Post).where(Post.third_party.is_(True))).one()
    assert (third.external_id, third.case_id) == ("104_c2", case_id)
    assert session.scalar(select(func.count(Post.id)).where(Post.inbound.is_(False))) == 2


def test_instagram_replies_to_a_comment(http, engine, sessions, session):
    case_id = customer_post(session, "17900000000000001", source="ig-main", platform="instagram",
                            kind="comment")  # fmt: skip
    impostor = {
        "id": "17900000000000002", "text": "DM our help desk on Telegram t.me/shopnowdesk",
        "timestamp": "2026-01-02T10:20:00+0000", "username": "shopnow.helpdesk",
        "from": {"id": "66", "username": "shopnow.helpdesk"}, "parent_id": "17900000000000001",
    }  # fmt: skip
    url = "https://graph.facebook.com/v24.0/17900000000000001/replies"
    call = http.get(url, json={"data": [impostor]})
    source = InstagramSource(
        "ig-main", "104", "178414", "page-token", retry=RetryPolicy(sleep=lambda s: None)
    )
    outcome = run(engine, sessions, {"ig-main": source})
    assert "username" in parse_qs(urlsplit(call.calls[0].request.url).query)["fields"][0]
    assert (outcome.fetched, outcome.stored, outcome.flagged) == (1, 1, 1)
    third = session.scalars(select(Post).where(Post.third_party.is_(True))).one()
    assert (third.platform, third.case_id) == ("instagram", case_id)
