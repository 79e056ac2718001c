"""X API v2 payloads shaped as documented: `data`, `includes.users`, `meta` with `newest_id`,
`oldest_id`, `result_count` and `next_token`. Shared by the source and polling tests."""

from __future__ import annotations

from typing import Any


def tweet(tweet_id: str, author: str, text: str = "my order never came", **extra: Any) -> dict:
    return {
        "id": tweet_id,
        "text": text,
        "author_id": author,
        "created_at": "2026-01-02T10:00:00.000Z",
        "conversation_id": tweet_id,
        "lang": "en",
        **extra,
    }


def user(user_id: str, username: str, followers: int, verified: bool = False) -> dict:
    metrics = {"followers_count": followers, "following_count": 3, "tweet_count": 9}
    return {
        "id": user_id,
        "username": username,
        "name": username.title(),
        "verified": verified,
        "public_metrics": metrics,
    }


def page(tweets: list[Any], users: list[dict], next_token: str | None = None) -> dict:
    ids = [t["id"] for t in tweets if isinstance(t, dict) and "id" in t]
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if ids:
        meta |= {"newest_id": ids[0], "oldest_id": ids[-1]}
    if next_token:
        meta["next_token"] = next_token
    return {"data": tweets, "includes": {"users": users}, "meta": meta}
