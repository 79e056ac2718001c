"""A large backlog read through a small page budget, with the poller killed (SIGKILL) at random
moments: 5,000 mentions, 2,000 DMs and 500 Messenger conversations behind local fake X and Graph
servers (real HTTP, real tweepy and facebook-sdk), new items arriving while it catches up, and
a page budget of 2 that forces many polls. Every item ends up stored exactly once and the
cursors end at the newest items, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from fake_graph_api import PAGE, GraphScript, make_conversations, serve_graph
from fake_x_api import Script, make_dms, make_tweets, serve
from sqlalchemy import func, select

from monitor.db.engine import make_engine, session_factory
from monitor.db.models import Post, SourceState
from monitor.sources.values import parse_time

BRAND = "1000"
ENV = {
    "FAKE_X_CK": "consumer-key",
    "FAKE_X_CS": "consumer-secret",
    "FAKE_X_AT": "access-token",
    "FAKE_X_AS": "access-secret",
    "FAKE_FB_TOKEN": "EAAGpage-token",
}


def _config(tmp_path: Path, x_port: int, graph_port: int) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""
[[sources]]
name = "x-fake"
platform = "x"
user_id = "{BRAND}"
base_url = "http://127.0.0.1:{x_port}"
consumer_key_env = "FAKE_X_CK"
consumer_secret_env = "FAKE_X_CS"
access_token_env = "FAKE_X_AT"
access_token_secret_env = "FAKE_X_AS"
include_dms = true
max_pages = 2

[[sources]]
name = "fb-fake"
platform = "facebook"
page_id = "{PAGE}"
page_token_env = "FAKE_FB_TOKEN"
base_url = "http://127.0.0.1:{graph_port}"
include_messenger = true
max_pages = 2
""",
        encoding="utf-8",
    )
    return path


def _poll(config: Path, db_url: str, source: str) -> subprocess.Popen[str]:
    env = {**os.environ, **ENV, "MONITOR_DATABASE_URL": db_url}
    command = ["poll", source, "--once", "--no-score"]
    return subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _run_until_drained(config: Path, db_url: str, rng: random.Random, arrive: object) -> int:
    """Poll both sources, killing every third poller at a random moment, until a poll of each
    stores nothing new and is not catching up. Returns how many pollers were killed."""
    done: set[str] = set()
    kills = rounds = 0
    while done != {"x-fake", "fb-fake"}:
        rounds += 1
        assert rounds < 200, "the backlog never drained"
        if rounds == 6:
            arrive()  # type: ignore[operator]
        processes = {name: _poll(config, db_url, name) for name in ("x-fake", "fb-fake")}
        if rounds % 3 == 0:
            time.sleep(rng.uniform(0.5, 4.0))  # mid-import, mid-fetch or mid-commit
            for process in processes.values():
                process.send_signal(signal.SIGKILL)
            kills += 2
        for name, process in processes.items():
            output, _ = process.communicate(timeout=120)
            if process.returncode == -signal.SIGKILL:
                done.discard(name)
                continue
            assert process.returncode == 0, output
            # Graph's `since` is inclusive: the newest message comes again, as a duplicate.
            if "ok; fetched" in output and "stored 0," in output and "catching up" not in output:
                done.add(name)
            else:
                done.discard(name)
    return kills


def test_a_backlog_is_read_through_kills_exactly_once(tmp_path: Path, db_url: str) -> None:
    rng = random.Random(16)
    # Larger pages than the real APIs keep the run short; 2 pages a poll still take 10 polls.
    x_script = Script(tweets=make_tweets(5_000), dms=make_dms(2_000), page_size=250)
    graph = GraphScript(page_size=50)
    expected_messages = make_conversations(graph, 500, messages=2)
    x_server, graph_server = serve(x_script), serve_graph(graph)

    def arrive() -> None:
        """While the backlog is read: new mentions and DMs, and messages that move old
        conversations (not yet read) to the top."""
        x_script.publish(
            make_tweets(150, start=1_900_000_000_000_010_000),
            make_dms(120, start=1_800_000_000_000_010_000),
        )
        for n in (3, 17, 240, 499):
            graph.message(f"t_{n}", "still waiting, any news?", str(7000 + n))
        for m in range(30):  # more than the 25 messages a conversation embeds
            graph.message("t_260", f"and another thing ({m})", "7260")

    try:
        config = _config(tmp_path, x_server.server_address[1], graph_server.server_address[1])
        kills = _run_until_drained(config, db_url, rng, arrive)
    finally:
        x_server.shutdown()
        graph_server.shutdown()

    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        rows = session.execute(select(Post.platform, Post.kind, Post.external_id)).all()
        x_state = session.get_one(SourceState, "x-fake")
        fb_state = session.get_one(SourceState, "fb-fake")
        total = session.scalar(select(func.count(Post.id)))
    engine.dispose()

    mentions = {t["id"] for t in x_script.tweets}
    dms = {e["id"] for e in x_script.dms}
    messages = {m["id"] for c in graph.conversations for m in c.messages}
    assert len(mentions) == 5_150 and len(dms) == 2_120
    assert len(messages) == expected_messages + 4 + 30
    stored = {(platform, external_id) for platform, _, external_id in rows}
    assert total == len(rows) == len(stored)  # nothing doubled
    assert {i for p, k, i in rows if k == "mention"} == mentions  # nothing lost
    assert {i for p, k, i in rows if k == "dm" and p == "x"} == dms
    assert {i for p, k, i in rows if p == "facebook"} == messages
    assert kills >= 6

    # The cursors end at the newest items, with no backlog left.
    assert x_state.cursor == {
        "since_id": max(mentions, key=int),
        "dm_newest_id": max(dms, key=int),
    }
    newest_message = max(m["created_time"] for c in graph.conversations for m in c.messages)
    assert fb_state.cursor is not None
    assert parse_time(fb_state.cursor["messages_since"]) == parse_time(newest_message)
    assert "messages_after" not in fb_state.cursor
    assert x_state.catching_up_since is None and fb_state.catching_up_since is None
