"""Sign-in throttling: increasing delays per client and per username, never a hard lock.

A hard lock after N failures lets anyone who knows a username (the admin's) lock its owner
out with N requests. Instead, failures are counted per client address and per username
(whether or not the account exists, so the answer never tells which usernames are real):

- one client gets a few free failures, then must wait 1 s, 2 s, 4 s ... (up to
  `client_max_delay_seconds`) before each next attempt: one attacker is slowed to a crawl;
- one username gets many more free failures (from all clients together), then short delays
  capped at `account_max_delay_seconds`: a botnet cannot guess quickly either, and the
  worst an outsider can do to the real user is make them wait that many seconds.

Failures older than `throttle_window_minutes` are forgotten. Counters live in the database,
so every dashboard process shares them.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor.config import AuthSettings
from monitor.db.models import LoginThrottle

LOCAL_CLIENT = "local"


def client_key(
    peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...]
) -> str:
    """The address to throttle for a request.

    `peer` is the TCP peer (None for localhost, as Streamlit reports it). Behind a reverse
    proxy every peer is the proxy, so when the peer is one of `trusted_proxies` the client
    is the right-most X-Forwarded-For address that is not itself a trusted proxy (addresses
    further left are whatever the client chose to send, so they are never believed).
    """
    peer = peer if isinstance(peer, str) and peer else None  # tests' stand-ins are not text
    forwarded_for = forwarded_for if isinstance(forwarded_for, str) else None
    address = peer or "127.0.0.1"
    if not _trusted(address, trusted_proxies):
        return address
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _valid_ip(hop):
            break  # a forged or garbled header: fall back to the proxy's own address
        if not _trusted(hop, trusted_proxies):
            return hop
    return address if peer else LOCAL_CLIENT


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in trusted:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _keys(client: str, username: str) -> tuple[str, str]:
    return f"client:{client}"[:200], f"user:{username.strip().lower()}"[:200]


def _delay(failures: int, free: int, cap: float) -> float:
    if failures < free:
        return 0.0
    return min(cap, 2.0 ** (failures - free))


def _limits(key: str, settings: AuthSettings) -> tuple[int, float]:
    if key.startswith("client:"):
        return settings.client_free_failures, settings.client_max_delay_seconds
    return settings.account_free_failures, settings.account_max_delay_seconds


def wait_seconds(
    session: Session, client: str, username: str, settings: AuthSettings, now: datetime
) -> int:
    """Seconds this client must still wait before trying `username` again (0: go ahead)."""
    window = now - timedelta(minutes=settings.throttle_window_minutes)
    rows = session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(_keys(client, username)))
    ).all()
    waits = [
        (row.next_allowed_at - now).total_seconds()
        for row in rows
        if row.last_failure_at > window and row.next_allowed_at > now
    ]
    return math.ceil(max(waits, default=0.0))


def record_failure(
    session: Session, client: str, username: str, settings: AuthSettings, now: datetime
) -> None:
    window = now - timedelta(minutes=settings.throttle_window_minutes)
    # Forget stale counters here, so rows for made-up usernames do not pile up.
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at <= window))
    for key in _keys(client, username):
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now, next_allowed_at=now)
            session.add(row)
        row.failures += 1
        row.last_failure_at = now
        free, cap = _limits(key, settings)
        row.next_allowed_at = now + timedelta(seconds=_delay(row.failures, free, cap))
    session.flush()


def clear_username(session: Session, username: str) -> None:
    """After the right password (or for an admin): the username's failures start over.

    The client's own counter is kept, so signing in to one's own account between guesses
    does not reset an attacker's delay."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == _keys("", username)[1]))
