from __future__ import annotations

from decimal import Decimal

import pytest

from monitor.scoring import signals


@pytest.mark.parametrize(
    "text",
    [
        "Let me talk to a real person please",
        "I want to speak with your supervisor",
        "can I chat with an actual human",
        "Please call me, this is the third time",
    ],
)
def test_requests_for_a_human_are_found(text: str) -> None:
    assert signals.human_request(text)


def test_ordinary_text_is_not_a_request_for_a_human() -> None:
    assert not signals.human_request("The parcel arrived, thanks for the quick delivery")


def test_security_terms() -> None:
    found = signals.security_terms("My account was HACKED and there's an unauthorized order")
    assert found == ("hacked", "unauthorized")
    assert signals.security_terms("Got a suspicious text asking for my password") == (
        "suspicious text",
    )
    assert signals.security_terms("Where is my order?") == ()


def test_money_amounts_in_several_forms() -> None:
    text = "Charged $1,299.99 and then $12 again, plus 45 dollars shipping"
    assert signals.money_amounts(text) == [Decimal("1299.99"), Decimal("12.0"), Decimal("45.0")]
    assert signals.money_amounts("no money here, just 3 days late") == []


def test_order_numbers() -> None:
    assert signals.order_numbers("order 112-4455667-1234567 never came") == ("112-4455667-1234567",)
    assert signals.order_numbers("Order #A1B2C3D is late") == ("A1B2C3D",)
    assert signals.order_numbers("I ordered 3 days ago") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Someone hacked my account and ordered a TV", "account_security"),
        ("You charged my card after I cancelled Prime!", "billing"),
        ("The bot refused my refund for a broken blender", "refund_return"),
        ("Third time my package was not delivered", "delivery"),
        ("Please cancel my order", "cancellation"),
        ("Is the X200 compatible with USB-C?", "product_question"),
        ("Thank you, the team was amazing", "praise"),
        ("lol", "other"),
    ],
)
def test_intent(text: str, expected: str) -> None:
    assert signals.intent(text) == expected
