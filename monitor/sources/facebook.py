"""One Facebook Page through facebook-sdk 3.1.0: comments on recent posts, Messenger, replies.

facebook-sdk dates from 2018 and its constructor accepts Graph API versions up to 3.1 only.
`GraphAPI.request` just formats `self.version` into the path, so the source constructs the
client with "3.1" and then sets the configured version (default v24.0) on the instance. All of
that stays in this module, so swapping the SDK later touches nothing else.

Cursor keys: `comments_since` and `messages_since`, ISO times of the newest item seen. Items
at exactly that time are fetched again on the next poll (deduplication drops them), so
nothing written in the same second as the last poll is lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import facebook
import requests

from monitor.config.sources import parse_graph_version
from monitor.sources.base import AuthorInfo, FetchResult, IncomingPost, ReplyTarget, SourceError
from monitor.sources.feeds import Part, combine, estimate_backlog
from monitor.sources.http import DEFAULT_TIMEOUT, RetryPolicy, is_network_error, mount_adapter
from monitor.sources.redact import install_redaction, redact
from monitor.sources.values import Malformed, as_id, as_int, parse_time, time_field

log = logging.getLogger(__name__)

GRAPH_ORIGIN = facebook.FACEBOOK_GRAPH_URL  # "https://graph.facebook.com/", used by request()
SDK_VERSION = "3.1"  # the newest version the 3.1.0 constructor accepts
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id}"
MESSAGE_FIELDS = "id,message,created_time,from"
CONVERSATION_FIELDS = f"id,updated_time,messages.limit(25){{{MESSAGE_FIELDS}}}"
MESSAGE_PAGES = 1000  # a safety bound on one conversation's message pages in one poll
RATE_LIMIT_CODES = {4, 17, 32, 613}  # app, user, page and custom-level throttling
TOKEN_CODES = {102, 190}  # session or access token invalid / expired
RATE_LIMIT_FALLBACK = timedelta(minutes=15)
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)  # a floor below every message


class FacebookSource:
    """Comments on the Page's `posts_limit` most recent posts, and Messenger if enabled."""

    platform = "facebook"
    label = "Facebook"
    messaging_platform = "messenger"  # the Page's conversations: Messenger (or Instagram)
    comment_reply_edge = "comments"  # where a public reply to a comment is posted
    permissions = (
        "pages_read_engagement, pages_read_user_content, pages_manage_engagement and "
        "pages_messaging"
    )

    def __init__(
        self,
        name: str,
        page_id: str,
        page_token: str,
        *,
        graph_version: str = "v24.0",
        include_messenger: bool = False,
        base_url: str | None = None,
        max_pages: int = 5,
        posts_limit: int = 25,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        env_hint: str = "the Page access token",
    ) -> None:
        install_redaction()
        self.name = name
        self.page_id = str(page_id)
        self.own_ids = {self.page_id}  # authors whose items are our own replies
        self.include_messenger = include_messenger
        self.max_pages = max_pages
        self.posts_limit = posts_limit
        self.retry = retry or RetryPolicy()
        self._hint = env_hint
        session = requests.Session()
        self.adapter = mount_adapter(session, GRAPH_ORIGIN, base_url, timeout=timeout)
        self.graph = facebook.GraphAPI(
            access_token=page_token, timeout=timeout, version=SDK_VERSION, session=session
        )
        self.graph.version = normalise_version(graph_version)

    # -- fetching --------------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        old = dict(cursor or {})
        parts = {"comments": self._fetch_comments(old)}
        if self.include_messenger:
            parts["messages"] = self._fetch_messages(old)
        result = combine(parts, old)
        result.requests = sum(part.pages for part in parts.values())
        return result

    def _fetch_comments(self, cursor: dict[str, Any]) -> Part:
        """Comments newer than `comments_since` on the Page's recent posts, newest first.

        A post whose comments outlast the page budget is kept in `comments_pending` (post id ->
        the paging arguments of its next page), and `comments_since` stays put until no post
        is pending, so the next poll carries on where this one stopped.
        """
        part = Part()
        since = parse_time(cursor.get("comments_since"))
        pending = _pending(cursor.get("comments_pending"))
        newest = parse_time(cursor.get("comments_newest"))
        args = {"fields": "id,created_time,updated_time", "limit": self.posts_limit}
        posts = list(self._paged(part, self.page_id, "posts", "reading Page posts", args, 1))
        if part.error is not None:
            return part
        todo = dict.fromkeys(pending)  # pending first: they may have left the recent posts
        for post in posts:
            post_id = as_id(post.get("id")) if isinstance(post, dict) else None
            updated = time_field(post, "updated_time")
            if post_id is not None and not (since and updated and updated < since):
                todo.setdefault(post_id)  # a new comment moves updated_time: else nothing new
        still: dict[str, dict[str, str]] = {}  # post id -> arguments of its next page
        for post_id in todo:
            if part.error is not None:  # a page failed: the rest waits for the next poll
                still |= {post_id: pending[post_id]} if post_id in pending else {}
                continue
            chain = Part()
            args = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": 100}
            args |= {"order": "reverse_chronological", **pending.get(post_id, {})}
            for comment in self._paged(chain, post_id, "comments", "reading comments", args):
                created = time_field(comment, "created_time")
                if since and created and created < since:
                    chain.drained = True  # newest first: the rest was fetched by earlier polls
                    break
                newest = max(filter(None, (newest, created)), default=None)
                chain.add(comment, self._item, "comment", post_id)
            part.absorb(chain)
            if chain.pages == 0 and post_id in pending:
                still[post_id] = pending[post_id]
            elif not chain.drained and isinstance(chain.following, dict):
                still[post_id] = chain.following
        stamp = max(filter(None, (newest, since)), default=None)
        text = stamp.isoformat() if stamp else None
        if not still and part.error is None:
            keys = {"comments_pending": None, "comments_newest": None}
            part.caught_up({"comments_since": text, **keys})
        else:
            part.stopped({"comments_pending": still or None, "comments_newest": text}, None)
        return part

    def _fetch_messages(self, cursor: dict[str, Any]) -> Part:
        """Messenger conversations updated since `messages_since`, most recently updated first.

        A poll that stops at its page budget keeps `messages_after` (the paging arguments of
        the next page) and `messages_newest`. A conversation that gets a new message while the
        backlog is read jumps to the top, above the pages already read: so messages are taken
        from `messages_floor` (the `since` of the last pass that finished in one poll), and a
        pass over the top after the backlog picks up what such a jump hid.
        """
        part = Part()
        since = parse_time(cursor.get("messages_since"))
        floor = parse_time(cursor.get("messages_floor")) or since
        after = cursor.get("messages_after")
        newest = parse_time(cursor.get("messages_newest"))
        args = {"fields": CONVERSATION_FIELDS, "platform": self.messaging_platform, "limit": 25}
        if isinstance(after, dict):
            args |= {str(key): str(value) for key, value in after.items()}
        resume: dict[str, str] | None = None
        top = oldest = None
        for conversation in self._paged(
            part, self.page_id, "conversations", "reading Messenger", args
        ):
            conversation_id = (
                as_id(conversation.get("id")) if isinstance(conversation, dict) else None
            )
            if conversation_id is None:
                part.add(conversation, _reject, "conversation has no id")
                continue
            updated = parse_time(conversation.get("updated_time"))
            if since and updated and updated < since:
                part.drained = True  # conversations come most recently updated first
                break
            top, oldest = top or updated, updated or oldest
            embedded = conversation.get("messages")
            for message in _data(embedded):
                created = time_field(message, "created_time")
                if floor and created and created < floor:
                    break  # newest first: the rest was read by earlier polls
                newest = max(filter(None, (newest, created)), default=None)
                part.add(message, self._item, "dm", conversation_id)
            else:  # every embedded message is new: more may wait on the next pages
                following = _next_args(embedded) if isinstance(embedded, dict) else None
                if following is not None and not self._older_messages(
                    part, conversation_id, following, floor
                ):
                    resume = part.current  # read this page of conversations again next time
                    break
        if part.pages == 0:
            return part
        latest = max(filter(None, (newest, since)), default=None)
        stamp = latest.isoformat() if latest else None
        if part.drained and part.error is None:
            # One poll for the whole pass: nothing could jump, the floor moves up to `since`.
            # After a pass of several polls it stays; no floor yet means from the beginning.
            new_floor = (floor if after else since) or BEGINNING
            part.caught_up(
                {
                    "messages_since": stamp,
                    "messages_floor": new_floor.isoformat(),
                    "messages_after": None,
                    "messages_newest": None,
                }
            )
        else:
            following = resume if resume is not None else part.following
            keys = {"messages_after": following, "messages_newest": stamp}
            backlog = None
            if top and oldest:
                floor_at = since.timestamp() if since else None
                fetched = len(part.posts)
                backlog = estimate_backlog(fetched, top.timestamp(), oldest.timestamp(), floor_at)
            part.stopped(keys, backlog)
        return part

    def _older_messages(
        self, part: Part, conversation_id: str, args: dict[str, str], floor: datetime | None
    ) -> bool:
        """The messages of a conversation beyond the 25 embedded ones, down to `floor`.

        Not bound by the page budget: the floor bounds it, and a conversation cannot be left
        half-read without a cursor of its own. Returns False when a page failed: the caller
        then reads this page of conversations again next poll.
        """
        chain = Part()
        args = {**args, "fields": MESSAGE_FIELDS}
        action = "reading Messenger messages"
        pages = MESSAGE_PAGES
        for message in self._paged(chain, conversation_id, "messages", action, args, pages):
            created = time_field(message, "created_time")
            if floor and created and created < floor:
                break
            chain.add(message, self._item, "dm", conversation_id)
        part.absorb(chain)
        return chain.error is None

    def _paged(
        self, part: Part, node: str, edge: str, action: str, args: dict[str, Any], pages: int = 0
    ) -> Iterator[Any]:
        """Items of `node/edge`, following `paging.next` for up to `pages` (max_pages) pages.

        A failed page sets `part.error` and ends the iteration; items already yielded stand.
        `part.following` holds the arguments of the next unfetched page, `part.drained` says
        there is none.
        """
        args = dict(args)
        for _ in range(pages or self.max_pages):
            part.current = {key: str(value) for key, value in args.items()}
            try:
                page = self._get(node, edge, action, args)
            except SourceError as exc:
                part.error = exc
                return
            part.pages += 1
            following = _next_args(page)
            part.following, part.drained = following, following is None
            yield from _data(page)
            if following is None:
                return
            args.update(following)
        if not pages:
            log.info("%s: page budget (max_pages=%d) used: %s", self.name, self.max_pages, action)

    def _item(self, item: Any, kind: str, conversation_id: str) -> IncomingPost:
        """A comment or a Messenger message; the Page's own become outbound replies."""
        what = "comment" if kind == "comment" else "message"
        if not isinstance(item, dict) or as_id(item.get("id")) is None:
            raise Malformed(f"{what} has no id")
        item_id = str(as_id(item["id"]))
        created = parse_time(item.get("created_time"))
        if created is None:
            raise Malformed(
                f"{what} {item_id}: created_time {item.get('created_time')!r} is no time"
            )
        author = item.get("from")
        author_id = as_id(author.get("id")) if isinstance(author, dict) else None
        if not isinstance(author, dict) or author_id is None:
            raise Malformed(
                f"{what} {item_id} has no author (from): the Page token may lack the "
                "pages_read_user_content permission"
            )
        text = item.get("message", "")  # empty for sticker or attachment-only items
        if not isinstance(text, str):
            raise Malformed(f"{what} {item_id}: message is not text")
        parent = item.get("parent")
        # Messenger gives a name; Instagram messages give the account's username.
        name = next((v for k in ("name", "username") if isinstance(v := author.get(k), str)), None)
        own = author_id in self.own_ids
        return IncomingPost(
            platform=self.platform,
            external_id=item_id,
            kind="reply" if own else kind,
            author=AuthorInfo(
                self.platform, author_id, handle=name or author_id, display_name=name
            ),
            text=text,
            created_at=created,
            source=self.name,
            inbound=not own,
            conversation_id=conversation_id,
            in_reply_to_id=as_id(parent.get("id")) if isinstance(parent, dict) else None,
            raw=item,
        )

    # -- replies -------------------------------------------------------------------------

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        """Post once, without retries: a timed-out POST may have succeeded on the platform."""
        try:
            if target.kind == "dm":
                result = self.graph.put_object(
                    self.page_id,
                    "messages",
                    recipient=json.dumps({"id": target.author_external_id}),
                    messaging_type="RESPONSE",
                    message=json.dumps({"text": text}),
                )
                new_id = as_id(result.get("message_id"))
            else:
                result = self.graph.put_object(
                    target.external_id, self.comment_reply_edge, message=text
                )
                new_id = as_id(result.get("id"))
        except (facebook.GraphAPIError, requests.RequestException, KeyError, ValueError) as exc:
            raise self._error(exc, f"replying to {target.external_id}") from exc
        if new_id is None:
            raise SourceError(
                f"{self.label} accepted the reply but returned no id; check the account."
            )
        return new_id

    # -- HTTP and errors ---------------------------------------------------------------

    def _get(self, node: str, edge: str, action: str, args: dict[str, Any]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            result = self.graph.get_connections(node, edge, **args)
            if not isinstance(result, dict):
                raise ValueError("the response is not a JSON object")
            return result

        try:
            return self.retry.call(attempt, self._transient)
        except (facebook.GraphAPIError, requests.RequestException, KeyError, ValueError) as exc:
            raise self._error(exc, action) from exc

    def _status(self) -> int | None:
        response = self.adapter.last_response
        return response.status_code if response is not None else None

    def _transient(self, exc: BaseException) -> bool:
        if is_network_error(exc):
            return True
        error = _error_body(exc)
        if as_int(error.get("code")) in RATE_LIMIT_CODES:
            return False  # retrying within seconds only deepens the throttling
        if error.get("is_transient") is True or as_int(error.get("code")) in (1, 2):
            return True
        return (self._status() or 0) >= 500

    def _error(self, exc: Exception, action: str) -> SourceError:
        where = f"{self.label} source {self.name!r}, {action}"
        detail = redact(str(exc)).replace("\n", " ").strip()
        error = _error_body(exc)
        code, subcode = as_int(error.get("code")), as_int(error.get("error_subcode"))
        if code is not None:
            detail = f"{detail} (code {code}{f'/{subcode}' if subcode else ''})"
        if code in RATE_LIMIT_CODES or (code is not None and 80001 <= code <= 80014):
            retry_at = self._retry_at()
            return SourceError(
                f"{where}: rate limit reached ({detail}); polling resumes at "
                f"{retry_at:%Y-%m-%d %H:%M} UTC.",
                retry_at=retry_at,
            )
        if self._transient(exc) or not isinstance(exc, facebook.GraphAPIError):
            return SourceError(f"{where}: Facebook did not answer properly ({detail}); will retry.")
        renew = f"generate a new long-lived Page access token and put it in {self._hint}"
        if code in TOKEN_CODES or (error.get("type") == "OAuthException" and code != 10):
            message = f"the Page token expired or is invalid ({detail}); {renew}"
        elif code == 10 and subcode == 2018278:
            message = f"the 24-hour Messenger reply window has closed ({detail}); answer publicly"
        elif code == 10 or (code is not None and 200 <= code < 300):
            message = (
                f"the Page token lacks a permission ({detail}); grant {self.permissions}, {renew}"
            )
        else:
            message = f"{self.label} rejected the request ({detail}); check the ids and base_url"
        return SourceError(f"{where}: {message}.", permanent=True)

    def _retry_at(self) -> datetime:
        """When the usage headers tell how long access stays blocked, wait that long."""
        response = self.adapter.last_response
        minutes = 0
        for header in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
            value = response.headers.get(header) if response is not None else None
            minutes = max(minutes, _regain_minutes(value))
        wait = timedelta(minutes=minutes) if minutes else RATE_LIMIT_FALLBACK
        return datetime.now(UTC) + wait


def normalise_version(value: str) -> str:
    """ "v24.0" or "24.0" -> "v24.0"; anything else stops start-up with the key's name."""
    try:
        return parse_graph_version(value)
    except ValueError as exc:
        raise SourceError(str(exc), permanent=True) from exc


def _data(page: Any) -> list[Any]:
    data = page.get("data") if isinstance(page, dict) else None
    return data if isinstance(data, list) else []


def _next_args(page: dict[str, Any]) -> dict[str, str] | None:
    """The query of `paging.next` (cursor- or time-based), without the token it embeds."""
    paging = page.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    if not isinstance(following, str) or not following:
        return None
    query = parse_qs(urlsplit(following).query)
    return {key: values[0] for key, values in query.items() if key != "access_token"}


def _pending(value: Any) -> dict[str, dict[str, str]]:
    """`comments_pending` from a stored cursor: post id -> paging arguments."""
    if not isinstance(value, dict):
        return {}
    return {str(k): dict(v) for k, v in value.items() if isinstance(v, dict)}


def _reject(item: Any, reason: str) -> IncomingPost:
    raise Malformed(reason)


def _error_body(exc: BaseException) -> dict[str, Any]:
    result = getattr(exc, "result", None) if isinstance(exc, facebook.GraphAPIError) else None
    error = result.get("error") if isinstance(result, dict) else None
    return error if isinstance(error, dict) else {}


def _regain_minutes(value: str | None) -> int:
    """Largest `estimated_time_to_regain_access` (minutes) anywhere in a usage header."""
    try:
        usage = json.loads(value) if value else None
    except ValueError:
        return 0
    stack, found = [usage], 0
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found = max(found, as_int(node.get("estimated_time_to_regain_access")) or 0)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found
