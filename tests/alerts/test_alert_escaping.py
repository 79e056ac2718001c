"""Hostile post text in an alert reaches each shipped channel as text: no Slack ping, no
disguised link, no rendered Markdown link or image in Teams, no HTML in e-mail.

Every message goes through the real apprise plugin; JSON and e-mail are delivered to local
receivers over real HTTP and SMTP, Slack, Teams Workflows and PagerDuty (HTTPS-only plugins)
are captured at the requests layer.
"""

from __future__ import annotations

import email
import json
import re
import socketserver
import threading
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
import responses

from monitor.alerts.send import send
from monitor.config import RouteSettings

POST = (
    "<!channel> <!here> <@U024BE7LH> refund NOW <https://evil.example/login|ShopNow login> "
    "[Verify](https://evil.example/v) ![](https://evil.example/pixel.png) "
    '<img src="https://evil.example/i.png"> <a href="https://evil.example">x</a> a & b '
    "abc\u202egnp.exe ad\u200bmin"
)
TITLE = "Urgent post [Verify](https://evil.example/t) <!channel>"


def route(url: str) -> RouteSettings:
    return RouteSettings(name="care", url=url)


def deliver(url: str) -> None:
    result = send(route(url), TITLE, POST, timeout=10)
    assert result.ok, result.error


def assert_marked(text: str) -> None:
    assert "\u202e" not in text and "\u200b" not in text
    assert "⟪U+202E⟫" in text and "ad⟪U+200B⟫min" in text


def test_json_receiver_gets_the_text_unchanged_but_marked(receiver: Any) -> None:
    deliver(receiver.url())
    [message] = receiver.messages
    assert message["message"].startswith("<!channel> <!here>")  # a program reads it as data
    assert "[Verify](https://evil.example/v)" in message["message"]
    assert_marked(message["message"])


@pytest.fixture
def captured(http: responses.RequestsMock) -> responses.RequestsMock:
    http.add(responses.POST, re.compile(r"https://.*"), body="ok", status=200)
    return http


def _payload(mock: responses.RequestsMock) -> dict[str, Any]:
    [call] = mock.calls
    body = call.request.body
    return dict(json.loads(body.decode() if isinstance(body, bytes) else str(body)))


def test_slack_gets_no_mention_and_no_disguised_link(captured: responses.RequestsMock) -> None:
    deliver("slack://T1AAAAAAA/B2BBBBBBB/abcdefghijklmnopqrstuvwx/#care")
    payload = _payload(captured)
    text = payload["attachments"][0]["text"]
    title = payload["attachments"][0]["title"]
    for part in (text, title):
        assert "<!" not in part and "<@" not in part and "<https" not in part
        assert "<" not in part and ">" not in part  # every angle bracket is an entity
    assert "&lt;!channel&gt;" in text and "&lt;https://evil.example/login|ShopNow login&gt;" in text
    assert "a &amp; b" in text
    assert payload.get("mrkdwn") is False  # nothing in the text is formatting
    assert_marked(text)


def _live_markdown(text: str) -> str:
    return re.sub(r"\\.", "", text)  # backslash-escaped characters are literal


def test_teams_workflow_renders_no_link_or_image(captured: responses.RequestsMock) -> None:
    deliver("workflows://prod.westus.logic.azure.com:443/wf123/sigABCDEFGHIJKLMNOP")
    card = _payload(captured)["attachments"][0]["content"]
    blocks = {block.get("id"): block["text"] for block in card["body"] if "text" in block}
    for text in (blocks["title"], blocks["body"]):
        live = _live_markdown(text)
        assert "](" not in live and "![" not in live and "[" not in live
    assert "Verify" in blocks["body"] and "ShopNow login" in blocks["body"]
    assert_marked(re.sub(r"\\(.)", r"\1", blocks["body"]))


def test_pagerduty_summary_is_the_plain_text(captured: responses.RequestsMock) -> None:
    deliver("pagerduty://integrationkey0001@apikey000000001")
    summary = _payload(captured)["payload"]["summary"]
    assert "<!channel>" in summary and "[Verify](https://evil.example/v)" in summary  # plain
    assert_marked(summary)


class SmtpReceiver(socketserver.ThreadingTCPServer):
    """Just enough SMTP for apprise's mailto:// to hand over one message."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        self.messages: list[Message] = []
        super().__init__(("127.0.0.1", 0), _SmtpHandler)


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpReceiver

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 localhost ready")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 localhost")
            elif command == "DATA":
                self.reply("354 end with .")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(email.message_from_bytes(data))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    server = SmtpReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_html_part_has_no_markup(smtp: SmtpReceiver) -> None:
    port = smtp.server_address[1]
    deliver(f"mailto://127.0.0.1:{port}?from=alerts@shop.example&to=care@shop.example&format=html")
    [message] = smtp.messages
    parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "<img" not in html and "<a " not in html and "<!channel>" not in html
    assert "&lt;img" in html and "&lt;!channel&gt;" in html
    assert_marked(html)
