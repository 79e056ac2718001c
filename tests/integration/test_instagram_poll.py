"""`monitor poll` of an Instagram source in its own process against a local Graph server over
real HTTP: comments, replies and DMs stored with their channel, then new comments while the
poller is killed with SIGKILL mid-poll; after a restart every item is stored exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from fake_instagram_api import IG_USER, PAGE, Script, comment, serve
from sqlalchemy import select

from monitor.db.engine import make_engine, session_factory
from monitor.db.models import Post, SourceState


def _config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""
[[sources]]
name = "instagram-fake"
platform = "instagram"
page_id = "{PAGE}"
ig_user_id = "{IG_USER}"
page_token_env = "FAKE_IG_TOKEN"
include_dms = true
base_url = "http://127.0.0.1:{port}"
max_pages = 50
""",
        encoding="utf-8",
    )
    return path


def _poll(config: Path, db_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MONITOR_DATABASE_URL": db_url, "FAKE_IG_TOKEN": "ig-token-xyz"}
    command = [sys.executable, "-m", "monitor.cli", "--config", str(config), "poll",
               "instagram-fake", "--once", "--no-score"]  # fmt: skip
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_poll_once_then_kill_9_mid_poll_loses_and_doubles_nothing(tmp_path: Path, db_url: str):
    conversation = {
        "id": "t_1",
        "updated_time": "2026-01-02T10:30:00+0000",
        "messages": {"data": [{"id": "m_1", "message": "my parcel is lost",
                               "created_time": "2026-01-02T10:30:00+0000",
                               "from": {"id": "7001", "username": "dana.reyes"}}]},
    }  # fmt: skip
    media = [{"id": "9001", "timestamp": "2026-01-01T09:00:00+0000"}]
    items = [comment(f"c{n}", str(500 + n), n) for n in range(1, 8)]
    script = Script(media=media, comments={"9001": items}, conversations=[conversation])
    server = serve(script)
    config = _config(tmp_path, server.server_address[1])
    try:
        first = _poll(config, db_url)
        output, _ = first.communicate(timeout=60)
        assert "instagram-fake: ok; fetched 8" in output, output

        # New comments arrive; the next poll hangs on the second comments page and is killed.
        script.comments["9001"][:0] = [comment(f"n{n}", str(600 + n), 20 + n) for n in range(5)]
        done = len(script.requests)
        script.slow[done + 3] = 30.0  # media, comments page 1, then page 2 hangs
        killed = _poll(config, db_url)
        assert script.slow_started.wait(30), "the poller never reached the slow page"
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        assert killed.returncode == -signal.SIGKILL

        again = _poll(config, db_url)
        output, _ = again.communicate(timeout=60)
        assert "instagram-fake: ok" in output, output
    finally:
        server.shutdown()

    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        rows = session.execute(select(Post.external_id, Post.platform, Post.kind)).all()
        state = session.get_one(SourceState, "instagram-fake")
    engine.dispose()
    ids = [row[0] for row in rows]
    expected = {f"c{n}" for n in range(1, 8)} | {f"n{n}" for n in range(5)} | {"m_1"}
    assert sorted(ids) == sorted(expected)  # every item, each exactly once
    assert {row[1] for row in rows} == {"instagram"}
    assert {(row[0], row[2]) for row in rows if row[0] == "m_1"} == {("m_1", "dm")}
    assert state.healthy and state.cursor and "comments_since" in state.cursor
