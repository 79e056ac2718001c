"""Fetch the replies under one customer post, for impostor checks: X and Facebook.

Kept apart from the pollers (x.py, facebook.py): these are bounded, on-demand lookups, each
one API call, reusing the source's client, error mapping and item parsing. What the platform
says about the reply's author that the post table has no column for (account creation time,
expanded links) goes into the raw payload under "impostor".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.sources.base import IncomingPost, SourceError
from monitor.sources.facebook import FacebookSource
from monitor.sources.instagram import COMMENT as INSTAGRAM_COMMENT
from monitor.sources.instagram import InstagramSource
from monitor.sources.values import Malformed, as_id, as_int, from_unix
from monitor.sources.x import TWEET_FIELDS, USER_FIELDS, XSource, _unpack

REPLY_COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id}"


@dataclass
class ReplyPage:
    posts: list[IncomingPost] = field(default_factory=list)
    rejected: int = 0
    rate_limit_remaining: int | None = None
    rate_limit_reset_at: datetime | None = None


def x_conversation_replies(
    source: XSource, conversation_id: str, *, max_results: int = 100
) -> ReplyPage:
    """Recent search `conversation_id:N`: every reply in the thread (last 7 days), one call.

    Raises SourceError (rate limits carry `retry_at`) when the call fails.
    """
    if not conversation_id.isdigit():
        raise SourceError(f"conversation id {conversation_id!r} is not an X id", permanent=True)
    params: dict[str, Any] = {
        "query": f"conversation_id:{conversation_id}",
        "max_results": max(10, min(max_results, 100)),
        "expansions": ["author_id", "referenced_tweets.id"],
        "tweet_fields": [*TWEET_FIELDS.split(), "entities"],
        "user_fields": [*USER_FIELDS, "created_at"],
        "user_auth": source._mentions_user_auth,
    }
    body = source._call(
        source.client.search_recent_tweets,
        "searching replies",
        source._mentions_user_auth,
        **params,
    )
    data, users, _ = _unpack(body)
    page = ReplyPage()
    response = source.adapter.last_response
    if response is not None:
        page.rate_limit_remaining = as_int(response.headers.get("x-rate-limit-remaining"))
        page.rate_limit_reset_at = from_unix(response.headers.get("x-rate-limit-reset"))
    for item in data:
        try:
            post = source._post(item, users, False)
        except Malformed:
            page.rejected += 1
            continue
        user = users.get(post.author.external_id, {})
        extra = {
            "urls": _expanded_urls(item),
            "followers_known": isinstance(user.get("public_metrics"), dict),
            "account_created_at": user.get("created_at"),
        }
        page.posts.append(dataclasses.replace(post, raw={**item, "impostor": extra}))
    return page


def facebook_comment_replies(
    source: FacebookSource, comment_id: str, conversation_id: str | None, *, limit: int = 100
) -> ReplyPage:
    """Replies to one comment (Facebook or Instagram through the Graph API), one call."""
    if as_id(comment_id) is None:
        raise SourceError(f"comment id {comment_id!r} is not a Graph id", permanent=True)
    args = {"fields": REPLY_COMMENT_FIELDS, "limit": limit, "filter": "stream"}
    body = source._get(comment_id, "comments", "reading replies to a comment", args)
    page = ReplyPage()
    data = body.get("data")
    for item in data if isinstance(data, list) else []:
        try:
            post = source._item(item, "comment", conversation_id or comment_id)
        except Malformed:
            page.rejected += 1
            continue
        page.posts.append(post)
    return page


def instagram_comment_replies(
    source: InstagramSource, comment_id: str, media_id: str | None, *, limit: int = 100
) -> ReplyPage:
    """Replies to one Instagram comment (`/{comment-id}/replies`), one call."""
    if as_id(comment_id) is None:
        raise SourceError(f"comment id {comment_id!r} is not a Graph id", permanent=True)
    args = {"fields": INSTAGRAM_COMMENT, "limit": limit}
    body = source._get(comment_id, "replies", "reading replies to a comment", args)
    page = ReplyPage()
    data = body.get("data")
    for item in data if isinstance(data, list) else []:
        try:
            page.posts.append(source._comment(item, {"id": media_id or comment_id}))
        except Malformed:
            page.rejected += 1
    return page


def _expanded_urls(item: dict[str, Any]) -> list[str]:
    entities = item.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    found = []
    for url in urls if isinstance(urls, list) else []:
        if isinstance(url, dict):
            target = url.get("unwound_url") or url.get("expanded_url")
            if isinstance(target, str):
                found.append(target)
    return found
