"""The child processes of `monitor demo` and `monitor dashboard` (the poller, Streamlit)
stop with their parent.

Python's default SIGTERM ends a process at once, without `finally` blocks, so `docker stop`,
systemd or `kill` used to leave the children running and holding the dashboard's port.
SIGTERM now unwinds like Ctrl+C, and every child is asked to stop, then killed if it hangs.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator, Mapping
from types import FrameType

STOP_SECONDS = 15.0  # how long a child may take to shut down before it is killed


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def stopping_on_sigterm() -> Iterator[None]:
    """Within the block SIGTERM raises KeyboardInterrupt, as Ctrl+C does."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop(process: subprocess.Popen[bytes] | None, seconds: float = STOP_SECONDS) -> None:
    """Ask `process` to stop (SIGTERM), kill it if it has not within `seconds`, and reap it."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_until_stopped(command: list[str], env: Mapping[str, str]) -> None:
    """Run `command` until it exits or the parent is interrupted; either way it is gone
    (and its port free) when this returns or raises."""
    # fixed argv from our own code, no shell
    process = subprocess.Popen(command, env=dict(env))  # noqa: S603
    try:
        process.wait()
    finally:
        stop(process)
