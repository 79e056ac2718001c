"""Order linking: suggested orders with their evidence, search, link and unlink, and the
linked orders beside the conversation so the agent can check the claim."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import field, form_key, perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import case_picker, order_card, thread
from dashboard.safe_text import handle, md, plain
from monitor.auth.permissions import allowed
from monitor.cases.detail import case_detail
from monitor.cases.orders import (
    OrderView,
    WithheldOrder,
    link_author_to_customer,
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
    form = f"link_{case_id}_{order_id}"
    key = form_key(form)
    perform(
        lambda s: link_order(s, actor, case_id, order_id, key=key, evidence=evidence),
        f"Order {order_id} linked to case {case_id}.",
        form=form,
    )
    st.rerun()


def unlink(order_id: str) -> None:
    form = f"unlink_{case_id}_{order_id}"
    key = form_key(form)
    perform(
        lambda s: unlink_order(s, actor, case_id, order_id, key=key),
        f"Order {order_id} unlinked.",
        form=form,
    )
    st.rerun()


def candidate(order: OrderView | WithheldOrder, evidence: list[str], key: str) -> None:
    with st.container(border=True):
        if isinstance(order, WithheldOrder):
            # Someone else's order: its number and why, nothing about its customer.
            st.text(plain(order.why))
            return
        order_card.show(order, key=key)
        for line in evidence:
            st.markdown(md("- {}", line))
        form = f"link_{case_id}_{order.id}"
        if st.button(md("Link {}", order.id), key=field(form, "go")):
            link(order.id, "; ".join(evidence))


detail = read(lambda s: case_detail(s, case_id))
linked = read(lambda s: linked_orders(s, case_id))
left, right = st.columns([2, 3])
with left:
    st.subheader(md("Author {}", handle(detail.author_handle)))
    thread.show(detail.thread, key="orders_thread")
with right:
    st.subheader(md("Linked orders ({})", len(linked)))
    for n, order in enumerate(linked):
        with st.container(border=True):
            order_card.show(order, key=f"linked_{n}")
            unlink_key = field(f"unlink_{case_id}_{order.id}", "go")
            if st.button(md("Unlink {}", order.id), key=unlink_key):
                unlink(order.id)
    st.subheader("Suggested")
    suggestions = read(lambda s: suggest_orders(s, case_id))
    if not suggestions:
        st.caption("No evidence points to an order: search below.")
    for n, suggestion in enumerate(suggestions):
        st.caption(md("Evidence score {}", f"{suggestion.score:.0f}"))
        candidate(suggestion.order, suggestion.evidence, key=f"suggested_{n}")
    st.subheader("Search")
    query = st.text_input("Order id, customer name, e-mail, phone or @handle", key="order_query")
    for n, found in enumerate(
        read(lambda s: search_orders(s, query, case_id=case_id)) if query else []
    ):
        candidate(found, [f"found by searching {query!r}"], key=f"found_{n}")
    if allowed(actor, "customer.link"):
        st.subheader("Who is the author?")
        st.caption(
            "Link the author to a customer once they proved who they are (for example by DM): "
            "it decides whose orders and money this case can touch, and it is audited."
        )
        form = f"author_{case_id}"
        key = form_key(form)
        with st.form(field(form, "form")):
            ref = st.text_input("Customer's order number or e-mail", key=field(form, "ref"))
            proof = st.text_input("How they proved it", key=field(form, "proof"))
            if st.form_submit_button("Link author to customer"):
                perform(
                    lambda s: link_author_to_customer(
                        s, actor, case_id, ref, key=key, evidence=proof
                    ),
                    "Author linked to the customer.",
                    form=form,
                )
                st.rerun()
