"""Linked orders, suggested orders with their evidence, search, link and unlink, and
linking the author to a customer: the order side of a case, drawn inside the case page.

Buttons are drawn only for roles that may use them; the services check again."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import field, form_key, perform, read
from dashboard.components import order_card
from dashboard.safe_text import md, plain
from monitor.auth.permissions import Actor, allowed
from monitor.cases.orders import (
    OrderView,
    WithheldOrder,
    link_author_to_customer,
    link_order,
    search_orders,
    suggest_orders,
    unlink_order,
)
from monitor.vocab import Permission


def _link(actor: Actor, case_id: int, order_id: str, evidence: str) -> None:
    form = f"link_{case_id}_{order_id}"
    key = form_key(form)
    perform(
        lambda s: link_order(s, actor, case_id, order_id, key=key, evidence=evidence),
        f"Order {order_id} linked to case {case_id}.",
        form=form,
    )
    st.rerun()


def _unlink(actor: Actor, case_id: int, order_id: str) -> None:
    form = f"unlink_{case_id}_{order_id}"
    key = form_key(form)
    perform(
        lambda s: unlink_order(s, actor, case_id, order_id, key=key),
        f"Order {order_id} unlinked.",
        form=form,
    )
    st.rerun()


def _candidate(
    actor: Actor, case_id: int, order: OrderView | WithheldOrder, evidence: list[str], key: str
) -> None:
    with st.container(border=True):
        if isinstance(order, WithheldOrder):
            # Someone else's order: its number and why, nothing about its customer.
            st.text(plain(order.why))
            return
        order_card.show(order, key=key)
        for line in evidence:
            st.markdown(md("- {}", line))
        form = f"link_{case_id}_{order.id}"
        work = allowed(actor, Permission.CASE_WORK)
        if work and st.button(md("Link {}", order.id), key=field(form, "go")):
            _link(actor, case_id, order.id, "; ".join(evidence))


def show(case_id: int, linked: list[OrderView], actor: Actor) -> None:
    work = allowed(actor, Permission.CASE_WORK)
    st.markdown(md("**Linked orders ({})**", len(linked)))
    if not linked:
        st.caption("No order linked yet.")
    for n, order in enumerate(linked):
        with st.container(border=True):
            order_card.show(order, key=f"linked_{case_id}_{n}")
            unlink_key = field(f"unlink_{case_id}_{order.id}", "go")
            if work and st.button(md("Unlink {}", order.id), key=unlink_key):
                _unlink(actor, case_id, order.id)
    st.markdown("**Suggested**")
    suggestions = read(lambda s: suggest_orders(s, case_id))
    if not suggestions:
        st.caption("No evidence points to an order: search below.")
    for n, suggestion in enumerate(suggestions):
        st.caption(md("Evidence score {}", f"{suggestion.score:.0f}"))
        key = f"suggested_{case_id}_{n}"
        _candidate(actor, case_id, suggestion.order, suggestion.evidence, key)
    query = st.text_input(
        "Search orders: id, customer name, e-mail, phone or @handle", key=f"order_query_{case_id}"
    )
    found = read(lambda s: search_orders(s, query, case_id=case_id)) if query else []
    for n, hit in enumerate(found):
        _candidate(actor, case_id, hit, [f"found by searching {query!r}"], f"found_{case_id}_{n}")
    if query and not found:
        st.caption("No order matches.")
    if allowed(actor, Permission.CUSTOMER_LINK):
        _author_form(actor, case_id)


def _author_form(actor: Actor, case_id: int) -> None:
    st.markdown("**Who is the author?**")
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
                lambda s: link_author_to_customer(s, actor, case_id, ref, key=key, evidence=proof),
                "Author linked to the customer.",
                form=form,
            )
            st.rerun()
