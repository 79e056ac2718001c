"""Carry out a just-approved resolution with an outside order system right after its decision
commits, so the user sees the outcome now instead of at the scheduler's next tick. The
ledger needs none of this: it is paid in the decision's own transaction."""

from __future__ import annotations

from dashboard.state import app_context
from monitor.cases.execution import run_order_calls
from monitor.cases.order_system import order_system_for
from monitor.errors import UserFacingError
from monitor.vocab import CallStatus


def send_now(resolution_id: int) -> str:
    """'' when nothing was to be sent, else a line saying what the order system answered."""
    ctx = app_context()
    settings = ctx.settings.clearance.order_system
    if settings.kind == "ledger":
        return ""
    try:
        with ctx.sessions() as session:
            system = order_system_for(settings, session)
    except UserFacingError as exc:
        return f"the order system is not reachable: {exc}"
    counts = run_order_calls(ctx.sessions, system, settings, only=[resolution_id])
    if counts.get(CallStatus.SENT):
        return "the order system carried it out"
    return "the order system did not confirm it yet: the case shows the attempts"
