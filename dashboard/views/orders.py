"""Order linking: suggested orders with their evidence, search, link and unlink, and the
linked orders beside the conversation so the agent can check the claim."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import case_picker, order_card, thread
from monitor.cases.detail import case_detail
from monitor.cases.orders import (
    OrderView,
    link_order,
    linked_orders,
    search_orders,
    suggest_orders,
    unlink_order,
)

actor = current_actor()
st.title("Order linking")
case_id = case_picker.chosen("orders_pick")
show_flash()


def link(order_id: str, evidence: str) -> None:
    perform(
        lambda s: link_order(s, actor, case_id, order_id, evidence=evidence),
        f"Order {order_id} linked to case {case_id}.",
    )
    st.rerun()


def unlink(order_id: str) -> None:
    perform(lambda s: unlink_order(s, actor, case_id, order_id), f"Order {order_id} unlinked.")
    st.rerun()


def candidate(order: OrderView, evidence: list[str], key: str) -> None:
    with st.container(border=True):
        order_card.show(order, key=key)
        for line in evidence:
            st.markdown(f"- {line}")
        if st.button(f"Link {order.id}", key=f"{key}_link"):
            link(order.id, "; ".join(evidence))


detail = read(lambda s: case_detail(s, case_id))
linked = read(lambda s: linked_orders(s, case_id))
left, right = st.columns([2, 3])
with left:
    st.subheader(f"@{detail.author_handle}")
    thread.show(detail.thread, key="orders_thread")
with right:
    st.subheader(f"Linked orders ({len(linked)})")
    for n, order in enumerate(linked):
        with st.container(border=True):
            order_card.show(order, key=f"linked_{n}")
            if st.button(f"Unlink {order.id}", key=f"unlink_{n}"):
                unlink(order.id)
    st.subheader("Suggested")
    suggestions = read(lambda s: suggest_orders(s, case_id))
    if not suggestions:
        st.caption("No evidence points to an order: search below.")
    for n, suggestion in enumerate(suggestions):
        st.caption(f"Evidence score {suggestion.score:.0f}")
        candidate(suggestion.order, suggestion.evidence, key=f"suggested_{n}")
    st.subheader("Search")
    query = st.text_input("Order id, customer name, e-mail, phone or @handle", key="order_query")
    for n, order in enumerate(read(lambda s: search_orders(s, query)) if query else []):
        candidate(order, [f"found by searching {query!r}"], key=f"found_{n}")
