"""`monitor demo` stopped with SIGTERM (docker stop, systemd, kill) stops its poller and its
Streamlit server and frees the dashboard's port, as Ctrl+C does."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import REPO, free_port, wait_until_healthy


def children_of(pid: int) -> set[int]:
    """Every live descendant of `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":  # a zombie has stopped already
            parents[int(entry.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {child for child, ppid in parents.items() if ppid == parent}
        found |= kids
        todo.extend(kids)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def demo_process(
    tmp_path: Path, model_cache: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = free_port()
    config = tmp_path / "demo.toml"
    config.write_text(
        f"[demo]\ncustomers = 4\nposts = 12\ndays = 1\n\n[dashboard]\nport = {port}\n"
        'address = "127.0.0.1"\n',
        encoding="utf-8",
    )
    env = dict(
        os.environ,
        MONITOR_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
        MONITOR_MODEL_CACHE_DIR=str(model_cache),
        PYTHONPATH=str(REPO),
    )
    log = tmp_path / "demo.log"  # a file, not a pipe: a full pipe would block the demo
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "--config", str(config), "demo"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a failed test can clean up
        )  # fmt: skip
    try:
        yield process, port, log
    finally:  # whatever the outcome, nothing of the group outlives the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_sigterm_stops_the_poller_and_the_dashboard(
    demo_process: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log = demo_process
    wait_until_healthy(f"http://127.0.0.1:{port}", seconds=300)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the poller starts before the dashboard
        children = children_of(process.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children if alive(pid)]
        poller = any(c.split(b"\0")[-2:] == [b"run", b""] for c in commands)
        if poller and any(b"streamlit" in c for c in commands):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"expected a poller and a Streamlit child, found {commands}")
    assert not port_free(port)

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)

    assert [pid for pid in children if alive(pid)] == []
    assert port_free(port)
    output = log.read_text(errors="replace")
    assert "Dashboard on http://localhost:" in output and "Traceback" not in output, output
