"""Resolutions on the case page: what was asked and where each stands, suggested ones, the
request form, and for approvers the Approve and Reject buttons of requests they may decide.

Only the buttons the signed-in role may use are drawn: an agent sees no Approve, a senior no
Approve on a request that needs a supervisor. The services in monitor/cases still enforce
every rule; this only keeps the page from offering what would be refused."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.actions import field, form_key, late_clicks, perform, read
from dashboard.components import resolution_form
from dashboard.formatting import human
from dashboard.order_calls import send_now
from dashboard.safe_text import md, plain
from monitor.auth.permissions import Actor, allowed
from monitor.cases.approvals import approvals_for
from monitor.cases.detail import CaseDetail, ResolutionView
from monitor.cases.execution import retry_execution
from monitor.cases.order_system import order_system_for
from monitor.cases.orders import OrderView
from monitor.cases.policy import ACTION_LABELS, approver_roles
from monitor.cases.resolutions import (
    APPROVED,
    PENDING,
    RequestOutcome,
    approve_resolution,
    reject_resolution,
    request_resolution,
)
from monitor.cases.suggestions import SuggestedResolution, suggest_resolutions
from monitor.config.clearance import ClearanceSettings
from monitor.vocab import CallStatus, Permission
from monitor.wording import money


def roles_text(roles: tuple[str, ...]) -> str:
    """('senior', 'supervisor', 'admin') -> 'a senior, supervisor or admin'."""
    if not roles:
        return "nobody (the policy must change)"
    words = list(roles)
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return ("an " if joined[0] in "aeiou" else "a ") + joined


def waiting_sentence(outcome: RequestOutcome) -> str:
    """One short sentence: what waits, for whom, and the first rule that made it wait."""
    r = outcome.resolution
    what = f"{ACTION_LABELS[r.action]} {money(r.amount) if r.amount else ''}".strip()
    first = outcome.breaches[0] if outcome.breaches else None
    who = roles_text(first.approvers) if first else "an approver"
    why = f": {first.message}" if first else ""
    return f"{what} is waiting for approval by {who}{why}."


def decision_key(resolution_id: int) -> str:
    """The approvals page uses the same key: the first decision anywhere wins."""
    return f"decide:resolution-{resolution_id}"


class Panel:
    def __init__(self, detail: CaseDetail, orders: list[OrderView], actor: Actor,
                 policy: ClearanceSettings, teams: tuple[str, ...]) -> None:  # fmt: skip
        self.detail, self.orders, self.actor, self.policy = detail, orders, actor, policy
        self.teams = teams
        self.case_id = detail.id
        # Why each pending request waits, and whether this person may decide it now (the
        # same rules the Approvals page and approve_resolution use).
        waiting = read(lambda s: approvals_for(s, actor, policy))
        self.waiting = {w.request.id: w for w in waiting if w.request.case_id == self.case_id}

    def request(self, form: str, key: str, action: str, order_id: str | None,
                amount: Decimal | None, reason: str, **details: str) -> None:  # fmt: skip
        policy, actor, case_id = self.policy, self.actor, self.case_id
        outcome = perform(
            lambda s: request_resolution(
                s, actor, case_id, action, key=key, amount=amount, order_id=order_id,
                reason=reason, details=details, policy=policy,
                order_system=order_system_for(policy.order_system, s),
            ),
            success=lambda o: o.message,
            form=form,
        )  # fmt: skip
        if outcome is not None and outcome.resolution.status == APPROVED:
            st.session_state["flash"] = (
                "success", f"{outcome.message}; {send_now(outcome.resolution.id)}",
            )  # fmt: skip
        elif outcome is not None and outcome.resolution.status == PENDING:
            st.session_state["flash"] = ("info", waiting_sentence(outcome))
        st.rerun()

    def suggestion_key(self, sug: SuggestedResolution) -> str:
        """Derived from what the suggestion does and from the case's resolutions as drawn:
        two tabs (or two people) clicking the same suggestion make one submission."""
        amount = f"{sug.amount:.2f}" if sug.amount is not None else "-"
        count = len(self.detail.resolutions)
        return f"suggest:{self.case_id}:{sug.order_id or '-'}:{sug.action}:{amount}:{count}"

    def show(self) -> None:
        self.existing()
        if not allowed(self.actor, Permission.RESOLUTION_REQUEST):
            return
        self.suggested()
        form = f"resolution_{self.case_id}"
        wanted = resolution_form.show(form, self.orders, self.teams)
        if wanted is not None:
            self.request(
                form, form_key(form), wanted.action, wanted.order_id, wanted.amount,
                wanted.reason, **wanted.details,
            )  # fmt: skip

    def suggested(self) -> None:
        suggestions = read(lambda s: suggest_resolutions(s, self.case_id, self.policy))
        drawn = {f"case_{self.suggestion_key(s)}": (self.suggestion_key(s), s) for s in suggestions}
        for key, late in late_clicks(f"suggestions_{self.case_id}", drawn):
            self.request("", key, late.action, late.order_id, late.amount, late.reason)
        for sug in suggestions:
            with st.container(border=True):
                amount = f" {money(sug.amount)}" if sug.amount else ""
                st.markdown(
                    md("**Suggested: {}{}** · {}", ACTION_LABELS[sug.action], amount,
                       sug.order_id or "")
                )  # fmt: skip
                st.caption(md("Evidence: {}. Approval: {}.", sug.evidence,
                              ", ".join(sug.approvers) or "nobody"))  # fmt: skip
                key = self.suggestion_key(sug)
                if st.button("Request this", key=f"case_{key}"):
                    self.request("", key, sug.action, sug.order_id, sug.amount, sug.reason)

    def existing(self) -> None:
        if not self.detail.resolutions:
            st.caption("No resolution requested yet.")
        for r in self.detail.resolutions:
            with st.container(border=True):
                self.one(r)

    def one(self, r: ResolutionView) -> None:
        amount = f" {money(r.amount)}" if r.amount else ""
        decided = f" by {r.decided_by}" if r.decided_by else ""
        st.markdown(
            md("#{} **{}{}** {} · {}{}", r.id, ACTION_LABELS[r.action], amount,
               r.order_id or "", human(r.status), decided)
        )  # fmt: skip
        when = f"{r.requested_at:%Y-%m-%d %H:%M}"
        st.caption(md("Requested by {} at {} UTC · reason: {}", r.requested_by, when,
                      r.reason or "-"))  # fmt: skip
        if r.decision_reason:
            st.caption(md("Decision: {}", r.decision_reason))
        if r.order_call:
            st.caption(
                md("Order system: {} ({} attempts)", human(r.order_call), r.order_call_attempts)
            )
        waits = self.waiting.get(r.id)
        if r.status == PENDING and waits is not None:
            st.markdown(md(":gray-badge[Waiting for approval] {}", waits.why))
            if waits.can_approve:
                self.decide(r)
            elif waits.needs:
                st.caption(md("{}", waits.needs[:1].upper() + waits.needs[1:] + "."))
        if r.status == APPROVED and r.order_call in (CallStatus.FAILED, CallStatus.UNKNOWN):
            self.retry(r)

    def decide(self, r: ResolutionView) -> None:
        actor, policy = self.actor, self.policy
        reason = st.text_input("Reason (required to reject)", key=f"case_decide_reason_{r.id}")
        approve, reject = st.columns(2)
        if approve.button("Approve", key=f"case_approve_{r.id}", type="primary"):
            outcome = perform(
                lambda s: approve_resolution(
                    s, actor, r.id, policy=policy, reason=reason, key=decision_key(r.id),
                    order_system=order_system_for(policy.order_system, s),
                ),
                success=lambda o: o.message,
            )  # fmt: skip
            if outcome is not None and outcome.resolution.status == APPROVED:
                st.session_state["flash"] = ("success", f"{outcome.message}; {send_now(r.id)}")
            st.rerun()
        if reject.button("Reject", key=f"case_reject_{r.id}"):
            perform(
                lambda s: reject_resolution(s, actor, r.id, reason, key=decision_key(r.id)),
                f"Resolution #{r.id} rejected.",
            )
            st.rerun()

    def retry(self, r: ResolutionView) -> None:
        """A failed or interrupted order-system call, retried by someone with clearance."""
        form = f"retry_{r.id}"
        key = form_key(form)
        if r.order_call == CallStatus.UNKNOWN:
            st.warning(
                md(
                    "#{}: the order-system call was interrupted: check the order system before "
                    "retrying (the retry reuses the same idempotency key, so it cannot pay "
                    "twice).",
                    r.id,
                )
            )
        else:
            st.error(md("#{}: the order system did not carry it out.", r.id))
            st.text(plain(f"Reason: {r.order_call_error or 'none given'}", 3000))
        who = approver_roles(self.policy, r.action, r.amount, r.order_value)
        if self.actor.role in who and st.button("Retry order-system call", key=field(form, "go")):
            actor, policy = self.actor, self.policy
            done = perform(
                lambda s: retry_execution(s, actor, r.id, key=key, policy=policy), form=form
            )
            if done is not None:
                st.session_state["flash"] = ("success", f"#{r.id} retried: {send_now(r.id)}")
            st.rerun()
