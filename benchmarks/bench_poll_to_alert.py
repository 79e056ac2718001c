"""Poll-to-alert latency: from a mention becoming visible on a local fake X server to its alert
arriving at a local HTTP receiver, through a real `monitor run` (real model, SQLite).

Prints p50/p95/max per setting: the shipped intervals (poll 60 s, score 10 s, alerts 30 s) and
every interval at 5 s. The target is p95 <= poll interval + 3 s. Mentions appear at random
moments, so each waits a random part of a poll interval. Run:
`.venv/bin/python benchmarks/bench_poll_to_alert.py [--posts 10] [--only 5]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fake_x_api import Script, serve  # noqa: E402
from x_api import tweet  # noqa: E402

SETTINGS = {"shipped": (60, 10, 30), "5": (5, 5, 5)}  # poll, score, alerts seconds
TEXT = "[post {n}] charged twice for my order, still no refund after 3 weeks, this is fraud"


class Arrivals:
    """The receiver: when each `[post N]` alert arrived."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                text = str(body.get("message", ""))
                if "[post " in text:
                    number = int(text.split("[post ", 1)[1].split("]", 1)[0])
                    arrivals.at.setdefault(number, time.time())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _config(folder: Path, x_port: int, hook_port: int, poll: int, score: int, alerts: int) -> Path:
    path = folder / "monitor.toml"
    path.write_text(
        f"""
[scheduler]
score_seconds = {score}
alerts_seconds = {alerts}

[alerts.rules]
urgency_threshold = 0

[[alerts.routes]]
name = "bench"
url = "json://127.0.0.1:{hook_port}/hook"
rules = ["urgency"]

[[sources]]
name = "x-bench"
platform = "x"
user_id = "1000"
base_url = "http://127.0.0.1:{x_port}"
bearer_token_env = "BENCH_X_BEARER"
interval_seconds = {poll}
""",
        encoding="utf-8",
    )
    return path


def _mention(number: int) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    author = str(10_000 + number)  # one author each: one case each, no cooldown in between
    return tweet(
        str(1_950_000_000_000_000_000 + number), author, TEXT.format(n=number), created_at=now
    )


def measure(label: str, posts: int, rng: random.Random) -> list[float]:
    poll, score, alerts = SETTINGS[label]
    script = Script(tweets=[], page_size=100)
    x_server, arrivals = serve(script), Arrivals()
    with tempfile.TemporaryDirectory() as folder:
        config = _config(
            Path(folder), x_server.server_address[1], arrivals.server.server_address[1],
            poll, score, alerts,
        )  # fmt: skip
        env = {
            **os.environ,
            "BENCH_X_BEARER": "bench-token",
            "MONITOR_DATABASE_URL": f"sqlite:///{folder}/bench.db",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "--config", str(config), "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Warm-up: the first post loads the model; it is not counted.
            script.publish([_mention(0)])
            deadline = time.time() + 300
            while 0 not in arrivals.at and time.time() < deadline:
                time.sleep(0.2)
            visible: dict[int, float] = {}
            for number in range(1, posts + 1):
                time.sleep(rng.uniform(0.3, 1.0) * poll)  # a random moment in the cycle
                script.publish([_mention(number)])
                visible[number] = time.time()
            deadline = time.time() + 3 * poll + 60
            while len(arrivals.at) <= posts and time.time() < deadline:
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            x_server.shutdown()
            arrivals.server.shutdown()
    missing = [n for n in visible if n not in arrivals.at]
    if missing:
        print(f"{label}: no alert arrived for posts {missing}")
    return [arrivals.at[n] - visible[n] for n in visible if n in arrivals.at]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10, help="measured posts per setting")
    parser.add_argument("--only", choices=sorted(SETTINGS), help="one setting only")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for label in [args.only] if args.only else list(SETTINGS):
        poll, score, alerts = SETTINGS[label]
        latencies = sorted(measure(label, args.posts, rng))
        if not latencies:
            continue
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        print(
            f"intervals poll {poll} s / score {score} s / alerts {alerts} s: "
            f"{len(latencies)} alerts, p50 {statistics.median(latencies):.1f} s, "
            f"p95 {p95:.1f} s, max {latencies[-1]:.1f} s "
            f"(target p95 <= {poll + 3} s: {'met' if p95 <= poll + 3 else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
