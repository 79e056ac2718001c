"""One Instagram professional account connected to a Facebook Page, through the same Graph
client as Facebook (facebook-sdk, Graph version set on the instance).

The account is reached through its Page: the Page access token reads the account's media and
their comments (with replies and the media they belong to), and the Page's conversations with
`platform=instagram` hold the Instagram direct messages. Replies go back as a reply to the
comment (`/{comment-id}/replies`) or a message in the thread. Paging, retries, rate limits
(the business-use-case usage header), token expiry and malformed items are handled by
`FacebookSource`, which this class extends.

Cursor keys: `comments_since` (ISO time of the newest comment stored), `comments_pending` and
`comments_newest` while a backlog is read, and the Messenger keys of `FacebookSource` for
messages. Instagram lists a media's comments without a date filter, so each poll reads the
`media_limit` newest media and keeps comments at or after `comments_since`; one stored twice
is dropped by deduplication.
"""

from __future__ import annotations

from typing import Any

from monitor.sources.base import AuthorInfo, FetchResult, IncomingPost
from monitor.sources.facebook import FacebookSource, _data, _pending
from monitor.sources.feeds import Part, combine
from monitor.sources.values import Malformed, as_id, parse_time

MEDIA_FIELDS = "id,timestamp,permalink,media_type,caption"
COMMENT = "id,text,timestamp,username,from{id,username},parent_id"
COMMENT_FIELDS = f"{COMMENT},replies{{{COMMENT}}}"
TAG_FIELDS = "id,caption,timestamp,username,permalink,media_type"


class InstagramSource(FacebookSource):
    """Comments (and replies) on the account's newest media, media that tag the account, and
    Instagram DMs if enabled."""

    platform = "instagram"
    label = "Instagram"
    messaging_platform = "instagram"
    comment_reply_edge = "replies"
    permissions = (
        "instagram_basic, instagram_manage_comments, instagram_manage_messages, "
        "pages_show_list and pages_read_engagement"
    )

    def __init__(
        self,
        name: str,
        page_id: str,
        ig_user_id: str,
        page_token: str,
        *,
        include_messages: bool = False,
        media_limit: int = 10,
        **options: Any,
    ) -> None:
        super().__init__(name, page_id, page_token, include_messenger=include_messages, **options)
        self.ig_user_id = str(ig_user_id)
        self.own_ids = {self.page_id, self.ig_user_id}
        self.media_limit = media_limit

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        old = dict(cursor or {})
        parts = {"comments": self._fetch_media_comments(old), "tags": self._fetch_tags(old)}
        if self.include_messenger:
            parts["messages"] = self._fetch_messages(old)
        result = combine(parts, old)
        result.requests = sum(part.pages for part in parts.values())
        return result

    def _fetch_media_comments(self, cursor: dict[str, Any]) -> Part:
        """Comments at or after `comments_since` on the newest media, with their replies.

        As for Facebook posts, a media whose comments outlast the page budget is kept in
        `comments_pending` (media id -> paging arguments of its next page) and
        `comments_since` stays put until nothing is pending, so no comment is skipped.
        """
        part = Part()
        since = parse_time(cursor.get("comments_since"))
        pending = _pending(cursor.get("comments_pending"))
        newest = parse_time(cursor.get("comments_newest"))
        args = {"fields": MEDIA_FIELDS, "limit": self.media_limit}
        listed = list(self._paged(part, self.ig_user_id, "media", "reading media", args, 1))
        if part.error is not None:
            return part
        media = {media_id: {"id": media_id} for media_id in pending}  # pending first
        for item in listed:
            media_id = as_id(item.get("id")) if isinstance(item, dict) else None
            if media_id is None:
                part.add(item, _malformed, "media has no id")
            else:
                media[media_id] = item
        still: dict[str, dict[str, str]] = {}
        for media_id, item in media.items():
            if part.error is not None:  # a page failed: the rest waits for the next poll
                still |= {media_id: pending[media_id]} if media_id in pending else {}
                continue
            chain = Part()
            args = {"fields": COMMENT_FIELDS, "limit": 50, **pending.get(media_id, {})}
            for comment in self._paged(chain, media_id, "comments", "reading comments", args):
                replies = comment.get("replies") if isinstance(comment, dict) else None
                for entry in [comment, *_data(replies)]:
                    stamp = entry.get("timestamp") if isinstance(entry, dict) else None
                    created = parse_time(stamp)
                    if since and created and created < since:
                        continue
                    newest = max(filter(None, (newest, created)), default=None)
                    chain.add(entry, self._comment, item)
            part.absorb(chain)
            if chain.pages == 0 and media_id in pending:
                still[media_id] = pending[media_id]
            elif not chain.drained and isinstance(chain.following, dict):
                still[media_id] = chain.following
        latest = max(filter(None, (newest, since)), default=None)
        text = latest.isoformat() if latest else None
        if not still and part.error is None:
            part.caught_up(
                {"comments_since": text, "comments_pending": None, "comments_newest": None}
            )
        else:
            part.stopped({"comments_pending": still or None, "comments_newest": text}, None)
        return part

    def _fetch_tags(self, cursor: dict[str, Any]) -> Part:
        """Other people's media that tag the account (`/{ig-user-id}/tags`), newest first,
        as mentions; `tags_since` is the newest one's time."""
        part = Part()
        since = parse_time(cursor.get("tags_since"))
        newest = since
        args = {"fields": TAG_FIELDS, "limit": 25}
        for item in self._paged(part, self.ig_user_id, "tags", "reading tags", args):
            created = parse_time(item.get("timestamp")) if isinstance(item, dict) else None
            if since and created and created < since:
                part.drained = True  # newest first: the rest was read by earlier polls
                break
            newest = max(filter(None, (newest, created)), default=None)
            part.add(item, self._tagged_media)
        if part.pages and part.error is None and part.drained:
            part.caught_up({"tags_since": newest.isoformat() if newest else None})
        elif part.pages:
            part.stopped({}, None)  # the older tags wait; `tags_since` stays
        return part

    def _tagged_media(self, item: Any) -> IncomingPost:
        if not isinstance(item, dict) or as_id(item.get("id")) is None:
            raise Malformed("tagged media has no id")
        media_id = str(as_id(item["id"]))
        created = parse_time(item.get("timestamp"))
        username = item.get("username")
        if created is None or not isinstance(username, str):
            raise Malformed(f"tagged media {media_id} lacks timestamp or username")
        caption = item.get("caption", "")
        return IncomingPost(
            platform="instagram",
            external_id=media_id,
            kind="mention",
            # The tags edge names the author by username only: that is their id here too.
            author=AuthorInfo("instagram", f"@{username}", handle=username),
            text=caption if isinstance(caption, str) else "",
            created_at=created,
            source=self.name,
            conversation_id=media_id,
            raw=item,
        )

    def _comment(self, item: Any, media: dict[str, Any]) -> IncomingPost:
        """A comment or a reply to one, with the media it belongs to; ours become replies."""
        if not isinstance(item, dict) or as_id(item.get("id")) is None:
            raise Malformed("comment has no id")
        item_id = str(as_id(item["id"]))
        created = parse_time(item.get("timestamp"))
        if created is None:
            raise Malformed(f"comment {item_id}: timestamp {item.get('timestamp')!r} is no time")
        author = item.get("from")
        author_id = as_id(author.get("id")) if isinstance(author, dict) else None
        username = item.get("username")
        if author_id is None or not isinstance(username, str):
            raise Malformed(
                f"comment {item_id} has no author (from, username): the token may lack the "
                "instagram_manage_comments permission"
            )
        text = item.get("text", "")
        if not isinstance(text, str):
            raise Malformed(f"comment {item_id}: text is not text")
        own = author_id in self.own_ids
        media_id = str(as_id(media.get("id")))
        return IncomingPost(
            platform="instagram",
            external_id=item_id,
            kind="reply" if own else "comment",
            author=AuthorInfo("instagram", author_id, handle=username),
            text=text,
            created_at=created,
            source=self.name,
            inbound=not own,
            conversation_id=media_id,
            in_reply_to_id=as_id(item.get("parent_id")),
            raw={**item, "media": {k: media.get(k) for k in ("id", "permalink", "caption")}},
        )


def _malformed(item: Any, reason: str) -> IncomingPost:
    raise Malformed(reason)
