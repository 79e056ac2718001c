"""Race one money action from many threads or processes at once against a real database.

Each racer opens its own engine and session (as a dashboard process or a CLI call would),
waits at a barrier so all of them act at the same moment, and reports the outcome."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from monitor.auth.accounts import actor_for, get_user
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.resolutions import approve_resolution, reject_resolution, request_resolution
from monitor.config import ClearanceSettings
from monitor.db.engine import make_engine, session_factory
from monitor.errors import UserFacingError
from monitor.submissions import AlreadyDone, new_key

POLICY = ClearanceSettings()


def act(db_url: str, what: str, username: str, target: str, key: str, barrier: Any) -> str:
    """One racer: 'credit' (a $25 goodwill credit on case `target`), 'refund:<order>' ($80 on
    case `target`), 'approve' or 'reject' (resolution `target`). Returns the new status,
    'done' for AlreadyDone, or 'refused: <message>'."""
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions() as session:
        user = get_user(session, username)
        assert user is not None
        actor = actor_for(user)
    key = key or new_key()
    barrier.wait()
    try:
        with sessions() as session, session.begin():
            system = LedgerOrderSystem(session)
            if what == "credit":
                outcome = request_resolution(
                    session, actor, int(target), "goodwill_credit", amount=Decimal(25), key=key,
                    policy=POLICY, order_system=system,
                )  # fmt: skip
                return outcome.resolution.status
            if what.startswith("refund:"):
                outcome = request_resolution(
                    session, actor, int(target), "refund", amount=Decimal(80), key=key,
                    order_id=what.split(":", 1)[1], policy=POLICY, order_system=system,
                )  # fmt: skip
                return outcome.resolution.status
            if what == "approve":
                done = approve_resolution(
                    session, actor, int(target), key=key, policy=POLICY, order_system=system
                )
                return done.resolution.status
            reject_resolution(session, actor, int(target), "duplicate request", key=key)
            return "rejected"
    except AlreadyDone:
        return "done"
    except UserFacingError as exc:
        return f"refused: {exc}"
    finally:
        engine.dispose()


Racer = tuple[str, str, str, str]  # what, username, target, key ('' for a fresh key)


def in_threads(db_url: str, racers: list[Racer]) -> list[str]:
    barrier = threading.Barrier(len(racers))
    with ThreadPoolExecutor(len(racers)) as pool:
        futures = [pool.submit(act, db_url, *racer, barrier) for racer in racers]
        return [future.result(timeout=120) for future in futures]


def _child(queue: Any, job: Callable[..., str], *args: Any) -> None:
    try:
        queue.put(job(*args))
    except BaseException as exc:  # report, so the parent fails with the reason
        queue.put(f"crashed: {exc!r}")


def in_processes(db_url: str, racers: list[Racer]) -> list[str]:
    # forkserver: a fresh single-threaded server imports this module once and forks each
    # child from it, so children start fast (spawn re-imports everything per child) and
    # inherit no lock held by a thread of the test process (a plain fork could).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["race"])
    barrier, queue = context.Barrier(len(racers)), context.Queue()
    children = [
        context.Process(target=_child, args=(queue, act, db_url, *racer, barrier))
        for racer in racers
    ]
    for child in children:
        child.start()
    results = [queue.get(timeout=180) for _ in children]
    for child in children:
        child.join(timeout=30)
    return results
