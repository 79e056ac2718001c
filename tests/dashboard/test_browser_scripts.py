"""The app's own page scripts and the sign-in cookie: what they write, and what they refuse."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from dashboard.browser_scripts import QUEUE_KEYS, _literal
from monitor.auth import cookies

SCRIPTS = Path(__file__).resolve().parents[2] / "dashboard" / "browser_scripts.py"
KEY = b"k" * 32


def test_a_value_cannot_end_the_script_around_it() -> None:
    text = '</script><script>alert("x")</script>'
    literal = _literal(text)
    assert "</script" not in literal.lower()
    assert json.loads(literal.replace("<\\/", "</")) == text


def test_scripts_only_interpolate_literals_and_json() -> None:
    """Every {} in the module's f-strings is `_literal(...)`, `json.dumps(...)` or `script`."""
    allowed = {"_literal", "dumps"}
    for node in ast.walk(ast.parse(SCRIPTS.read_text())):
        if not isinstance(node, ast.JoinedStr):
            continue
        for part in node.values:
            if not isinstance(part, ast.FormattedValue):
                continue
            value = part.value
            if isinstance(value, ast.Name):
                assert value.id in ("script", "key"), ast.unparse(value)
                continue
            assert isinstance(value, ast.Call), ast.unparse(value)
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name in allowed, ast.unparse(value)


def test_keys_press_only_queue_buttons() -> None:
    assert set(QUEUE_KEYS) == {"j", "k", "Enter", "r"}
    assert all(name.startswith("queue_") for name in QUEUE_KEYS.values())


def test_signed_cookie_round_trip_and_tampering() -> None:
    token = "A" * 43
    value = cookies.sign(token, KEY)
    assert cookies.unsign(value, KEY) == token
    body, _, signature = value.rpartition(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for bad in (
        f"{body}.{flipped}",  # signature edited
        f"{'B' * 43}.{signature}",  # token swapped
        cookies.sign(token, b"x" * 32),  # another key
        token,  # no signature
        "",
        None,
        "x" * 500,
        f"{token}\x00.{signature}",
    ):
        assert cookies.unsign(bad, KEY) is None, bad


def test_only_real_tokens_are_signed() -> None:
    with pytest.raises(ValueError, match="not a session token"):
        cookies.sign("short", KEY)
