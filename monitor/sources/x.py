"""One brand account on X through tweepy 4.17 (API v2): mentions, DMs and replies.

tweepy gives us typed errors and request signing; the JSON is parsed here
(`return_type=requests.Response`) so one malformed tweet becomes a rejected item instead of
an exception from tweepy's models, and the rate-limit headers of every response are at hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from requests.models import PreparedRequest

from monitor.sources.base import AuthorInfo, FetchResult, IncomingPost, ReplyTarget, SourceError
from monitor.sources.feeds import Part, combine, estimate_backlog
from monitor.sources.http import (
    DEFAULT_TIMEOUT,
    RateBudget,
    RetryPolicy,
    is_network_error,
    mount_adapter,
)
from monitor.sources.redact import install_redaction, redact
from monitor.sources.values import Malformed, as_id, as_int, from_unix, is_newer, parse_time
from monitor.vocab import PostKind

log = logging.getLogger(__name__)

TWEEPY_ORIGIN = "https://api.twitter.com/"  # hard-coded in tweepy.Client.request
TWEET_FIELDS = "created_at conversation_id in_reply_to_user_id referenced_tweets author_id lang"
MENTION_EXPANSIONS = ["author_id", "referenced_tweets.id", "in_reply_to_user_id"]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
DM_EVENT_FIELDS = "id text event_type dm_conversation_id created_at sender_id participant_ids"
RATE_LIMIT_FALLBACK = timedelta(minutes=15)  # X's rate-limit window
PAGE_SIZE = 100  # the most X returns per page


class XSource:
    """Mentions (and optionally DMs) of the account `user_id`; cursor keys `since_id`,
    `dm_newest_id`. Mentions may use app auth (bearer token); DMs and replies need OAuth 1.0a
    user tokens of the brand account."""

    platform = "x"

    def __init__(
        self,
        name: str,
        user_id: str,
        *,
        bearer_token: str | None = None,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        include_dms: bool = False,
        base_url: str | None = None,
        max_pages: int = 5,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        app_hint: str = "the X bearer token",
        user_hint: str = "the X access token and secret",
    ) -> None:
        install_redaction()
        user_creds = (consumer_key, consumer_secret, access_token, access_token_secret)
        self.user_auth = all(user_creds)
        if not bearer_token and not self.user_auth:
            raise SourceError(
                f"X source {name!r} has no credentials: give a bearer token or the four "
                "OAuth 1.0a user tokens (consumer key/secret, access token/secret).",
                permanent=True,
            )
        if include_dms and not self.user_auth:
            raise SourceError(
                f"X source {name!r}: reading DMs needs the OAuth 1.0a user tokens of the brand "
                f"account ({user_hint}); a bearer token cannot read DMs.",
                permanent=True,
            )
        self.name = name
        self.user_id = str(user_id)
        self.include_dms = include_dms
        self.max_pages = max_pages
        self.retry = retry or RetryPolicy()
        self._app_hint, self._user_hint = app_hint, user_hint
        self._mentions_user_auth = not bearer_token
        self.client = tweepy.Client(bearer_token, *user_creds, return_type=requests.Response)
        self._oauth = tweepy.OAuth1UserHandler(*user_creds).apply_auth() if self.user_auth else None
        self.adapter = mount_adapter(
            self.client.session, TWEEPY_ORIGIN, base_url, timeout=timeout, on_rewrite=self._resign
        )
        # Each endpoint has its own rate-limit window: the latest headers per endpoint.
        self._budgets: dict[str, RateBudget] = {}

    # -- fetching --------------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        old = dict(cursor or {})
        self._budgets.clear()
        parts = {"mentions": self._fetch_mentions(old)}
        if self.include_dms:
            parts["dms"] = self._fetch_dms(old)
        result = combine(parts, old)
        result.requests = sum(part.pages for part in parts.values())
        self._add_rate_limit(result)
        return result

    def _fetch_mentions(self, cursor: dict[str, Any]) -> Part:
        """Newest first, from `since_id` up. A poll that stops at its page budget keeps
        `mentions_until_id` (the oldest mention stored) and `mentions_newest_id` (the since_id
        to adopt once the backlog is drained); the next poll asks for the range below it."""
        part, auth = Part(), self._mentions_user_auth
        since = as_id(cursor.get("since_id"))
        until = as_id(cursor.get("mentions_until_id"))
        pending = as_id(cursor.get("mentions_newest_id"))
        params: dict[str, Any] = {"id": self.user_id, "since_id": since, "user_auth": auth}
        params |= {"until_id": until, "expansions": MENTION_EXPANSIONS}
        params["tweet_fields"] = TWEET_FIELDS.split()
        oldest = newest = None
        pages = self._pages(part, self.client.get_users_mentions, "reading mentions", auth, params)
        for data, users, meta in pages:
            first = as_id(meta.get("newest_id")) or _max_id(data)
            newest = newest or first
            if pending is None:  # the first page of a fresh pass: its newest is the next since_id
                pending = first
            oldest = as_id(meta.get("oldest_id")) or _min_id(data) or oldest
            for item in data:
                part.add(item, self._post, users, False)
        if part.pages == 0:
            return part
        if part.drained:
            part.caught_up(
                {
                    "since_id": pending or since,
                    "mentions_until_id": None,
                    "mentions_newest_id": None,
                }
            )
        else:
            keys = {"mentions_until_id": oldest or until, "mentions_newest_id": pending}
            part.stopped(keys, _id_backlog(len(part.posts), newest, oldest, since))
        return part

    def _fetch_dms(self, cursor: dict[str, Any]) -> Part:
        """DM events have no since_id: page (newest first) until the newest id seen last time.

        A poll that stops at its page budget keeps `dm_pagination_token` (where the next page
        starts) and `dm_pending_newest_id`; the next poll carries on from that page.
        """
        part = Part()
        mark = as_id(cursor.get("dm_newest_id"))
        token = cursor.get("dm_pagination_token")
        pending = as_id(cursor.get("dm_pending_newest_id"))
        params = {"dm_event_fields": DM_EVENT_FIELDS.split(), "expansions": ["sender_id"]}
        params["event_types"] = ["MessageCreate"]
        method = self.client.get_direct_message_events
        reached = False
        newest = oldest = None
        for data, users, _ in self._pages(part, method, "reading DMs", True, params, token):
            for item in data:
                event_id = as_id(item.get("id")) if isinstance(item, dict) else None
                if event_id and mark and not is_newer(event_id, mark):
                    reached = True
                    break
                if event_id:
                    pending, newest, oldest = pending or event_id, newest or event_id, event_id
                if isinstance(item, dict) and item.get("event_type") not in (None, "MessageCreate"):
                    continue
                part.add(item, self._post, users, True)
            if reached:
                break  # closes the generator: no further page is requested
        if part.pages == 0:
            return part
        if reached or part.drained:
            done: dict[str, Any] = {"dm_newest_id": pending or mark, "dm_pagination_token": None}
            part.caught_up(done | {"dm_pending_newest_id": None})
        else:
            keys = {"dm_pagination_token": part.following, "dm_pending_newest_id": pending}
            part.stopped(keys, _id_backlog(len(part.posts), newest, oldest, mark))
        return part

    def _pages(
        self,
        part: Part,
        method: Callable[..., Any],
        action: str,
        signed: bool,
        params: dict[str, Any],
        token: str | None = None,
    ) -> Iterator[tuple[list[Any], dict[str, dict[str, Any]], dict[str, Any]]]:
        """Yield (data, users by id, meta) per page, following `next_token` up to max_pages.

        A failed page ends the iteration with `part.error` set; pages already yielded stand.
        `part.following` is the token of the next unfetched page, `part.drained` says there is
        none.
        """
        for _ in range(self.max_pages):
            page_params = {**params, "pagination_token": token, "max_results": PAGE_SIZE}
            try:
                body = self._call(method, action, signed, user_fields=USER_FIELDS, **page_params)
            except SourceError as exc:
                part.error = exc
                return
            part.pages += 1
            data, users, meta = _unpack(body)
            token = as_id(meta.get("next_token"))
            part.following, part.drained = token, token is None
            yield data, users, meta
            if token is None:
                return
        log.info("%s: page budget (max_pages=%d) used while %s", self.name, self.max_pages, action)

    # -- parsing -------------------------------------------------------------------------

    def _post(self, item: Any, users: dict[str, dict[str, Any]], dm: bool) -> IncomingPost:
        """A mention or a DM event; what the brand wrote itself becomes an outbound reply."""
        what, author_key = ("DM event", "sender_id") if dm else ("tweet", "author_id")
        if not isinstance(item, dict):
            raise Malformed(f"{what} is not a JSON object")
        item_id, text, author = as_id(item.get("id")), item.get("text"), as_id(item.get(author_key))
        if item_id is None or author is None or not isinstance(text, str):
            fields = {"id": item_id, author_key: author, "text": text}
            missing = ", ".join(key for key, value in fields.items() if value is None)
            raise Malformed(f"{what} {item_id or ''} lacks {missing or 'text as a string'}")
        created = parse_time(item.get("created_at"))
        if created is None:
            raise Malformed(f"{what} {item_id}: created_at {item.get('created_at')!r} is no time")
        refs = item.get("referenced_tweets")
        replied_to = [
            as_id(ref.get("id"))
            for ref in (refs if isinstance(refs, list) else [])
            if isinstance(ref, dict) and ref.get("type") == "replied_to"
        ]
        own = author == self.user_id
        return IncomingPost(
            platform="x",
            external_id=item_id,
            kind=PostKind.REPLY if own else PostKind.DM if dm else PostKind.MENTION,
            author=_author(author, users),
            text=text,
            created_at=created,
            source=self.name,
            inbound=not own,
            conversation_id=as_id(item.get("dm_conversation_id" if dm else "conversation_id")),
            in_reply_to_id=replied_to[0] if replied_to else None,
            raw=item,
        )

    # -- replies -------------------------------------------------------------------------

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        """Post once, without retries: a timed-out POST may have succeeded on X's side."""
        if not self.user_auth:
            raise SourceError(
                f"X source {self.name!r} cannot reply: replies need the OAuth 1.0a user tokens "
                f"of the brand account ({self._user_hint}).",
                permanent=True,
            )
        try:
            if target.kind == PostKind.DM:
                ids: dict[str, Any] = (
                    {"participant_id": target.author_external_id}
                    if target.author_external_id
                    else {"dm_conversation_id": target.conversation_id}
                )
                response = self.client.create_direct_message(text=text, **ids)
                new_id = as_id((response.json().get("data") or {}).get("dm_event_id"))
            else:
                response = self.client.create_tweet(
                    text=text, in_reply_to_tweet_id=target.external_id
                )
                new_id = as_id((response.json().get("data") or {}).get("id"))
        except (tweepy.HTTPException, requests.RequestException, ValueError) as exc:
            raise self._error(exc, f"replying to {target.external_id}", True) from exc
        if new_id is None:
            raise SourceError("X accepted the reply but returned no id; check the account.")
        return new_id

    # -- HTTP and errors ---------------------------------------------------------------

    def _call(
        self, method: Callable[..., Any], action: str, signed: bool, **params: Any
    ) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            body = method(**params).json()
            if not isinstance(body, dict):
                raise ValueError("the response is not a JSON object")
            return body

        def transient(exc: BaseException) -> bool:
            return isinstance(exc, tweepy.TwitterServerError) or is_network_error(exc)

        try:
            return self.retry.call(attempt, transient)
        except (tweepy.HTTPException, requests.RequestException, ValueError) as exc:
            raise self._error(exc, action, signed) from exc
        finally:
            budget = RateBudget.from_headers(self.adapter.last_response)
            if budget is not None:
                self._budgets[action] = budget

    def _error(self, exc: Exception, action: str, user_auth: bool) -> SourceError:
        detail = redact(str(exc)).replace("\n", " ").strip()
        hint = self._user_hint if user_auth else self._app_hint
        where = f"X source {self.name!r}, {action}"
        if isinstance(exc, tweepy.TooManyRequests):
            retry_at = from_unix(exc.reset_time) or datetime.now(UTC) + RATE_LIMIT_FALLBACK
            return SourceError(
                f"{where}: rate limit reached; polling resumes at {retry_at:%Y-%m-%d %H:%M} UTC.",
                retry_at=retry_at,
            )
        if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
            return SourceError(
                f"{where}: X refused the credentials ({detail}). Check {hint}; regenerate it in "
                "the developer portal (developer.x.com), with the access level and permissions "
                "this needs (DMs and replies: Read, write and Direct Messages), then restart.",
                permanent=True,
            )
        if isinstance(exc, tweepy.NotFound | tweepy.BadRequest):
            return SourceError(
                f"{where}: X rejected the request ({detail}). Check user_id (the numeric id, "
                "not the @handle) and base_url.",
                permanent=True,
            )
        if isinstance(exc, tweepy.TwitterServerError) or is_network_error(exc):
            return SourceError(f"{where}: X did not answer properly ({detail}); will retry.")
        return SourceError(f"{where}: unexpected response from X ({detail}); will retry.")

    def _resign(self, request: PreparedRequest) -> None:
        """OAuth 1.0a signs the URL: after a base-URL rewrite, sign again for the new host."""
        header = request.headers.get("Authorization", "")
        if isinstance(header, bytes):
            header = header.decode("latin-1")
        if self._oauth is not None and header.startswith("OAuth "):
            del request.headers["Authorization"]
            self._oauth(request)

    def _add_rate_limit(self, result: FetchResult) -> None:
        """The scarcest endpoint's budget is the one that decides when to poll."""
        if self._budgets:
            scarcest = min(self._budgets.values(), key=lambda budget: budget.remaining)
            result.rate_limit_remaining = scarcest.remaining
            result.rate_limit_limit = scarcest.limit
            result.rate_limit_reset_at = scarcest.reset_at


def _unpack(body: dict[str, Any]) -> tuple[list[Any], dict[str, dict[str, Any]], dict[str, Any]]:
    data = body.get("data")
    includes = body.get("includes")
    meta = body.get("meta")
    users_list = includes.get("users") if isinstance(includes, dict) else None
    users = {
        str(user["id"]): user
        for user in users_list or []
        if isinstance(user, dict) and as_id(user.get("id"))
    }
    return (
        data if isinstance(data, list) else [],
        users,
        meta if isinstance(meta, dict) else {},
    )


def _author(user_id: str, users: dict[str, dict[str, Any]]) -> AuthorInfo:
    user = users.get(user_id, {})
    metrics = user.get("public_metrics")
    followers = as_int(metrics.get("followers_count")) if isinstance(metrics, dict) else None
    name = user.get("name")
    return AuthorInfo(
        platform="x",
        external_id=user_id,
        handle=str(user.get("username") or user_id),
        display_name=name if isinstance(name, str) else None,
        followers=followers or 0,
        verified=user.get("verified") is True,
    )


def _numeric_ids(data: list[Any]) -> list[str]:
    ids = [as_id(item.get("id")) for item in data if isinstance(item, dict)]
    return [i for i in ids if i and i.isdigit()]


def _max_id(data: list[Any]) -> str | None:
    return max(_numeric_ids(data), key=int, default=None)


def _min_id(data: list[Any]) -> str | None:
    return min(_numeric_ids(data), key=int, default=None)


def _id_backlog(
    fetched: int, newest: str | None, oldest: str | None, floor: str | None
) -> int | None:
    """Snowflake ids grow with time, so the id range left says roughly how many are left."""
    numbers = [int(i) if i and i.isdigit() else None for i in (newest, oldest, floor)]
    top, bottom, base = numbers
    if top is None or bottom is None:
        return None
    return estimate_backlog(fetched, top, bottom, base)
