"""The resolution request form. It only collects values: the clearance policy decides in
`monitor.cases.resolutions` whether the request runs now or waits for approval. Its widgets
are keyed by the form's idempotency key (`dashboard.actions.field`), so it is drawn empty
after each success."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import streamlit as st

from dashboard.actions import field
from monitor.cases.orders import OrderView
from monitor.cases.policy import ACTION_LABELS, MONETARY
from monitor.config import ACTIONS

NO_ORDER = "(no order)"


@dataclass(frozen=True)
class ResolutionRequest:
    action: str
    order_id: str | None
    amount: Decimal | None
    reason: str
    details: dict[str, Any]


def show(form: str, linked: list[OrderView], teams: tuple[str, ...]) -> ResolutionRequest | None:
    with st.form(field(form, "form")):
        left, right = st.columns(2)
        action = left.selectbox(
            "Action", ACTIONS, format_func=lambda a: ACTION_LABELS[a], key=field(form, "action")
        )
        ids = [o.id for o in linked]
        # Keyed by the linked orders too: linking one on the same page offers it first,
        # instead of keeping the earlier "(no order)" choice.
        drawn_for = zlib.crc32(" ".join(ids).encode())
        order = right.selectbox("Order", [*ids, NO_ORDER], key=field(form, f"{drawn_for}_order"))
        amount = left.number_input(
            "Amount (refund, replacement, credit)", min_value=0.0, step=1.0, format="%.2f",
            key=field(form, "amount"),
        )  # fmt: skip
        phone = right.text_input("Phone for a callback (+country code)", key=field(form, "phone"))
        team = left.selectbox("Specialist team (escalation)", teams, key=field(form, "team"))
        reason = right.text_input("Reason", key=field(form, "reason"))
        submitted = st.form_submit_button("Request resolution", type="primary")
    if not submitted:
        return None
    details: dict[str, Any] = {}
    if action == "callback":
        details["phone"] = phone
    if action == "escalation":
        details["team"] = team
    return ResolutionRequest(
        action=action,
        order_id=None if order == NO_ORDER else order,
        amount=Decimal(str(amount)) if action in MONETARY else None,
        reason=reason,
        details=details,
    )
