"""An order beside the thread: items, value, status, delivery dates, charges."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import human
from dashboard.safe_text import md, table
from monitor.cases.orders import OrderView


def _date(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


def show(order: OrderView, key: str) -> None:
    st.markdown(
        md(
            "**{}** · {} · {} · **{}** · **{} {}**", order.id, order.customer_name, order.kind,
            human(order.status), f"{order.value:,.2f}", order.currency,
        )
    )  # fmt: skip
    shipping = (
        f"ordered {_date(order.ordered_at)} · shipped {_date(order.shipped_at)} · "
        f"delivered {_date(order.delivered_at)}"
        + (f" · cancelled {_date(order.cancelled_at)}" if order.cancelled_at else "")
        + (f" · {order.carrier} {order.tracking_number}" if order.carrier else "")
    )
    st.caption(md("{}", shipping))
    items = pd.DataFrame(order.items or [{"name": "-", "qty": 0, "price": 0}])
    st.dataframe(table(items), hide_index=True, key=f"{key}_items")
    if order.charges:
        charges = "; ".join(f"{c.amount:,.2f} on {_date(c.charged_at)}" for c in order.charges)
        st.caption(md("Charges: {}", charges))
