from __future__ import annotations

from datetime import timedelta

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.auth.permissions import PermissionDenied
from monitor.cases import actions
from monitor.cases.orders import (
    OrderError,
    OrderView,
    WithheldOrder,
    link_order,
    linked_orders,
    search_orders,
    suggest_orders,
    unlink_order,
)
from monitor.cases.replies import (
    OutboxOnlySender,
    ReplyBlocked,
    ReplyNeedsConfirmation,
    check_reply,
    queue_reply,
    send_queued_replies,
)
from monitor.db.models import AuditEntry, OutboxMessage
from monitor.sources.base import ReplyTarget, SourceError
from monitor.submissions import new_key

NOW = T0 + timedelta(hours=1)


def test_suggestions_rank_by_evidence(session: Session) -> None:
    dana = make_customer(session)
    other = make_customer(session, "Sam Lee", "sam")
    make_order(session, dana, "111-0000001-0000001", "650.00", item="Noise Cancelling Headphones")
    make_order(session, dana, "111-0000002-0000002", "12.00", item="Phone case", days_ago=90)
    make_order(session, other, "112-7777777-7777777", "30.00", status="shipped")
    case = make_case(
        session,
        "order 112-7777777-7777777 is late, my noise cancelling headphones never arrived",
        70,
    )
    link_author(session, case, dana)
    ranked = suggest_orders(session, case.id)
    assert [s.order.id for s in ranked] == [
        "111-0000001-0000001", "111-0000002-0000002", "112-7777777-7777777",
    ]  # fmt: skip
    # Sam's order, quoted in Dana's case, is named but not shown: no name, items, charges.
    quoted = ranked[-1]
    assert isinstance(quoted.order, WithheldOrder) and quoted.score == 0
    assert quoted.evidence == [
        "order number 112-7777777-7777777 is quoted by the author, belongs to another customer"
    ]
    assert "Sam" not in repr(quoted) and "30.00" not in repr(quoted)
    top = " | ".join(ranked[0].evidence)
    assert "@userdana is linked to customer Dana Reyes" in top
    assert (
        "the customer says it is missing" in top and "Noise Cancelling Headphones is named" in top
    )


def test_link_unlink_search_and_analyst_refused(session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    analyst = make_user(session, "al", "analyst")
    dana = make_customer(session)
    make_order(session, dana, "111-0000001-0000001", "650.00")
    case = make_case(session, "help", 50)
    # Before the author is known to be Dana, her order is found but withheld, and not linkable.
    [withheld] = search_orders(session, "111-00", case_id=case.id)
    assert isinstance(withheld, WithheldOrder) and "belongs to another customer" in withheld.why
    with pytest.raises(OrderError, match=r"rule case\.order_owner"):
        link_order(session, agent, case.id, "111-0000001-0000001", key=new_key())
    link_author(session, case, dana)
    assert [o.id for o in search_orders(session, "111-00", case_id=case.id)] == [
        "111-0000001-0000001"
    ]
    found = search_orders(session, "@dana", case_id=case.id)
    assert [o.customer_name for o in found if isinstance(o, OrderView)] == ["Dana Reyes"]
    with pytest.raises(PermissionDenied):
        link_order(session, analyst, case.id, "111-0000001-0000001", key=new_key())
    link_order(
        session, agent, case.id, "111-0000001-0000001", evidence="order number", key=new_key()
    )
    [order] = linked_orders(session, case.id)
    assert order.value == 650 and order.charges[0].amount == 650
    assert suggest_orders(session, case.id) == []  # linked orders are not suggested again
    unlink_order(session, agent, case.id, "111-0000001-0000001", key=new_key())
    assert linked_orders(session, case.id) == []
    assert list(session.scalars(select(AuditEntry.action))) == [
        "user.create", "user.create", "case.link_order", "case.unlink_order"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Please DM us your password so we can check",
        "Can you confirm the full card number on the account?",
        "Reply with the one-time code we sent",
        "Your card 4111 1111 1111 1111 was charged",
    ],
)
def test_replies_never_ask_for_secrets(text: str) -> None:
    assert any(issue.blocking for issue in check_reply(text, "dm"))


def test_safe_replies_pass_and_public_personal_data_warns() -> None:
    assert check_reply("We will never ask for your password. DM us!", "public") == []
    assert check_reply("Please confirm the last 4 digits of the card", "dm") == []
    [issue] = check_reply("Refund of $650.00 sent to dana@example.com", "public")
    assert (
        not issue.blocking and "e-mail address" in issue.message and "Move to DM" in issue.message
    )
    assert "amount" in issue.message
    assert check_reply("Refund of $650.00 sent to dana@example.com", "dm") == []


def test_queue_reply_checks_then_outbox_and_sender(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    agent = make_user(session, "ann", "agent")
    analyst = make_user(session, "al", "analyst")
    case = make_case(session, "where is my parcel", 50)
    with pytest.raises(PermissionDenied):
        queue_reply(session, analyst, case.id, "hi", channel="public", key=new_key())
    with pytest.raises(ReplyBlocked, match="password"):
        queue_reply(session, agent, case.id, "Send us your password", channel="dm", key=new_key())
    with pytest.raises(ReplyNeedsConfirmation, match="Move to DM"):
        queue_reply(
            session, agent, case.id, "Call us on +1 202 555 0143", channel="public", key=new_key()
        )
    message = queue_reply(
        session, agent, case.id, "Sorry! Please DM us.", channel="public", key=new_key()
    )
    assert message.status == "queued" and case.status == "waiting" and case.sla_due_at is None
    session.commit()

    class Flaky:
        def send_reply(self, target: ReplyTarget, text: str) -> str:
            raise SourceError("timeout")

    summary = send_queued_replies(sessions, {"x": Flaky()}, now=NOW)
    assert summary.retry_later == 1
    session.expire_all()
    waiting = session.get_one(OutboxMessage, message.id)
    assert (waiting.status, waiting.attempts, waiting.error) == ("queued", 1, "timeout")
    assert waiting.next_attempt_at == NOW + timedelta(seconds=60)  # backoff before the next try
    assert send_queued_replies(sessions, {"x": OutboxOnlySender()}, now=NOW).sent == 0
    later = NOW + timedelta(minutes=2)
    assert send_queued_replies(sessions, {"facebook": OutboxOnlySender()}, now=later).no_sender == [
        "x"
    ]
    summary = send_queued_replies(sessions, {"x": OutboxOnlySender()}, now=later)
    session.expire_all()
    message = session.get_one(OutboxMessage, message.id)
    assert summary.sent == 1 and message.status == "sent" and message.external_id
    assert message.attempts == 2
    assert send_queued_replies(sessions, {"x": OutboxOnlySender()}, now=later).sent == 0


def test_claim_assign_status_and_notes(session: Session) -> None:
    ann = make_user(session, "ann", "agent")
    bob = make_user(session, "bob", "agent")
    sue = make_user(session, "sue", "supervisor")
    analyst = make_user(session, "al", "analyst")
    case = make_case(session, "help", 50)
    actions.claim_case(session, ann, case.id, key=new_key())
    with pytest.raises(actions.CaseActionError, match="already claimed by ann"):
        actions.claim_case(session, bob, case.id, key=new_key())
    with pytest.raises(PermissionDenied):
        actions.assign_case(session, bob, case.id, "bob", key=new_key())  # not his to take
    with pytest.raises(PermissionDenied):
        actions.add_note(session, analyst, case.id, "hmm", key=new_key())
    actions.assign_case(session, sue, case.id, "bob", key=new_key())
    actions.set_status(session, bob, case.id, "resolved", key=new_key())
    note = actions.add_note(session, bob, case.id, "refund done", key=new_key())
    assert case.assignee_id == bob.user_id and case.status == "resolved" and note.id
