"""Amounts that are not numbers never reach the clearance rules: a clear refusal, no
`decimal.InvalidOperation`, nothing recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import InvalidResolution, request_resolution
from monitor.config import ClearanceSettings
from monitor.db.models import Resolution
from monitor.submissions import new_key


@pytest.mark.parametrize(
    "amount",
    [Decimal("NaN"), Decimal("sNaN"), float("nan"), "NaN", "nan", Decimal("Infinity"),
     float("-inf"), "1e999999", "", "twelve"],
)  # fmt: skip
def test_non_numeric_amounts_are_refused_clearly(session: Session, amount: object) -> None:
    agent = make_user(session, "ann", "agent")
    customer = make_customer(session)
    case = make_case(session, "refund please", 60)
    link_author(session, case, customer)
    make_order(session, customer, "111-0000001-0000001", "80.00")
    link_order(session, agent, case.id, "111-0000001-0000001", key=new_key())
    with pytest.raises(InvalidResolution, match="needs an amount"):
        request_resolution(
            session, agent, case.id, "refund", key=new_key(), amount=amount,  # type: ignore[arg-type]
            order_id="111-0000001-0000001", policy=ClearanceSettings(),
            order_system=LedgerOrderSystem(session),
        )  # fmt: skip
    assert session.scalar(select(func.count()).select_from(Resolution)) == 0
