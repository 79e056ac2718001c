"""`monitor run` against a fake X server that sends X's real rate-limit headers on every answer
(a 900 s window): polling goes on at its interval while the budget lasts; its last tenth is
spread over the rest of the window, and no request ever runs into a 429."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fake_x_api import Script, serve

from monitor.db.engine import make_engine, session_factory
from monitor.db.models import SourceState

BUDGET = 20
AT_INTERVAL = BUDGET - BUDGET // 10  # the last tenth is spread over the window


def test_polls_at_interval_while_budget_lasts_and_pause_when_spent(
    tmp_path: Path, db_url: str
) -> None:
    script = Script(tweets=[], page_size=100, rate_limit=BUDGET, window=900)
    server = serve(script)
    config = tmp_path / "monitor.toml"
    config.write_text(
        f"""
[scheduler]
score_seconds = 3600
alerts_seconds = 3600
reports_seconds = 3600

[[sources]]
name = "x-fake"
platform = "x"
user_id = "1000"
base_url = "http://127.0.0.1:{server.server_address[1]}"
bearer_token_env = "FAKE_X_BEARER"
interval_seconds = 1
""",
        encoding="utf-8",
    )
    env = {**os.environ, "MONITOR_DATABASE_URL": db_url, "FAKE_X_BEARER": "token-xyz"}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times: list[float] = []
    try:
        deadline = time.time() + 90
        while len(script.requests) < AT_INTERVAL and time.time() < deadline:
            if len(times) < len(script.requests):
                times.extend([time.time()] * (len(script.requests) - len(times)))
            time.sleep(0.05)
        spent_at = time.time()
        time.sleep(6)  # six more ticks: none may reach the server
        after = len(script.requests)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        server.shutdown()

    assert len(times) >= AT_INTERVAL - 1, "polling never used the budget"
    # At its interval (1 s, with scheduling slack) until the last tenth of the budget.
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) < 3.0, gaps
    assert spent_at - times[0] < 45
    assert after == AT_INTERVAL  # then spread: nothing in the next six ticks, and no 429
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        state = session.get_one(SourceState, "x-fake")
    engine.dispose()
    assert state.rate_limit_remaining == BUDGET - AT_INTERVAL
    assert state.rate_limit_limit == BUDGET
    assert state.next_poll_at is not None and state.rate_limit_reset_at is not None
    assert state.last_success_at is not None
    # The two requests left are spread: the next one half-way to the reset, not at it.
    half = state.last_success_at + (state.rate_limit_reset_at - state.last_success_at) / 2
    assert abs((state.next_poll_at - half).total_seconds()) < 2
