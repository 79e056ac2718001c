"""The poller in its own process against a local fake X API over real HTTP: pages, a 500, a
429, a malformed item, a duplicate, a kill -9 mid-poll and a restart. Afterwards every post is
stored exactly once and the cursor is right."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fake_x_api import Script, make_tweets, serve
from sqlalchemy import func, select

from monitor.db.engine import make_engine, session_factory
from monitor.db.models import Post, RejectedPayload, SourceState

BRAND = "1000"


def _config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""
[[sources]]
name = "x-fake"
platform = "x"
user_id = "{BRAND}"
base_url = "http://127.0.0.1:{port}"
bearer_token_env = "FAKE_X_BEARER"
max_pages = 50
""",
        encoding="utf-8",
    )
    return path


def _poll(config: Path, db_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MONITOR_DATABASE_URL": db_url, "FAKE_X_BEARER": "token-xyz"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "--config",
            str(config),
            "poll",
            "x-fake",
            "--once",
            "--no-score",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _poll_until_quiet(config: Path, db_url: str, script: Script) -> list[str]:
    """Poll until a cycle fetches nothing new; a 429 makes the poller wait for the reset."""
    outputs = []
    for _ in range(15):
        process = _poll(config, db_url)
        output, _ = process.communicate(timeout=60)
        outputs.append(output)
        if "rate_limited" in output:
            time.sleep(1.2)
            continue
        if "ok; fetched 0" in output:
            return outputs
    raise AssertionError("the poller never caught up:\n" + "\n".join(outputs))


def test_posts_survive_faults_and_kill_9_exactly_once(tmp_path: Path, db_url: str) -> None:
    tweets = make_tweets(10)
    duplicate = dict(tweets[4])  # the same tweet served again on a later page
    malformed = {"id": "1899999999999999999", "author_id": "100"}  # no text, no created_at
    script = Script(
        tweets=[*tweets[:6], duplicate, *tweets[6:], malformed],
        page_size=3,
        statuses={1: 500},  # first request fails, the poller retries with backoff
    )
    server = serve(script)
    config = _config(tmp_path, server.server_address[1])
    try:
        # Poll 1: a 500 then a retry; the whole timeline arrives, over several pages.
        first = _poll(config, db_url)
        output, _ = first.communicate(timeout=60)
        assert "ok; fetched 10" in output and "rejected 1" in output, output

        # New tweets arrive; poll 2 is killed with SIGKILL while page 2 is in flight.
        script.tweets[:0] = make_tweets(5, start=1_900_000_000_000_000_100)
        done = len(script.requests)
        script.slow[done + 2] = 30.0  # poll 2's second page hangs: it is killed there
        script.statuses[done + 3] = 429  # and the restarted poller first meets a rate limit
        killed = _poll(config, db_url)
        assert script.slow_started.wait(30), "the poller never reached the slow page"
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        assert killed.returncode == -signal.SIGKILL

        # Restart: polls until nothing new, getting through a 429 on the way.
        outputs = _poll_until_quiet(config, db_url, script)
    finally:
        server.shutdown()

    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        ids = session.scalars(select(Post.external_id)).all()
        state = session.get_one(SourceState, "x-fake")
        rejected = session.scalar(select(func.count(RejectedPayload.id)))
    engine.dispose()
    expected = {t["id"] for t in script.tweets if "text" in t}
    assert sorted(ids) == sorted(expected), outputs  # every post, each exactly once
    assert len(ids) == 15
    assert any("rate_limited" in output for output in outputs)  # the 429 was met and waited out
    assert state.cursor == {"since_id": max(expected, key=int)}
    assert state.healthy
    assert rejected and rejected >= 1
