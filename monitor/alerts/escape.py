"""Alert text is foreign text (post text, handles, display names): every chat, pager and
mailbox must show it, never act on it.

Bodies go to apprise declared as plain TEXT, and each apprise plugin then escapes them for
its own format: Slack gets `&lt;!channel&gt;` with mrkdwn off (no channel ping, no
`<url|disguised>` link), Teams Workflows and other Markdown channels get backslash escapes
(no `[link](...)`, no image), e-mail gets HTML-escaped text. A few Markdown plugins copy the
title into the message as it is, so for those the title is escaped here. Bidi controls and
invisible characters are made visible for every channel.
tests/alerts/test_alert_escaping.py checks each shipped channel's real payload.
"""

from __future__ import annotations

from apprise import NotifyFormat

from monitor.secrets import mask
from monitor.text import visible

_MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!<>|~$:")


def markdown_text(text: str) -> str:
    """`text` as Markdown that reads as exactly `text`."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def neutral(text: str) -> str:
    """The same for every channel: spoofing characters made visible, secrets masked."""
    return visible(mask(text))


def title_for(plugin_format: object, title: str) -> str:
    """Titles of Markdown-only channels are not converted by apprise: escape them here."""
    return markdown_text(title) if plugin_format == NotifyFormat.MARKDOWN else title


BODY_FORMAT = NotifyFormat.TEXT
