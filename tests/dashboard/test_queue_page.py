from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from casework import sign_in
from factories import add_scored_post
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch, session: Session) -> AppTest:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    st.cache_resource.clear()  # the engine is cached per process: start from this test's DB
    app = AppTest.from_file(APP, default_timeout=30)
    sign_in(app, session, "ann", "agent")
    return app


def test_queue_lists_cases_most_urgent_first(app: AppTest, session: Session) -> None:
    add_scored_post(session, "1", "where is my parcel", 35, author="a", intent="delivery")
    add_scored_post(
        session, "2", "HACKED account, fraud!", 91, author="b", intent="account_security"
    )
    add_scored_post(session, "3", "love the service", 5, author="c", intent="praise")
    session.commit()

    app.run()

    assert not app.exception
    frame = app.dataframe[0].value
    assert list(frame["Post"]) == [
        "HACKED account, fraud!",
        "where is my parcel",
        "love the service",
    ]
    assert list(frame["Urgency"]) == [91, 35, 5]
    assert frame["Intent"].iloc[0] == "account security"
    assert frame["Why"].iloc[0] == "negative 0.50 (2)"


def test_minimum_urgency_filter(app: AppTest, session: Session) -> None:
    add_scored_post(session, "1", "where is my parcel", 35, author="a")
    add_scored_post(session, "2", "refund now", 72, author="b")
    session.commit()

    app.run()
    app.slider(key="queue_min_urgency").set_value(50).run()

    assert list(app.dataframe[0].value["Post"]) == ["refund now"]


def test_topic_and_language_filters_keep_non_english_posts_visible(
    app: AppTest, session: Session
) -> None:
    add_scored_post(
        session, "1", "parcel late and charged twice", 60, author="a",
        intent="delivery", topics="delivery;billing",
    )  # fmt: skip
    add_scored_post(session, "2", "refund please", 50, author="b", intent="refund_return")
    add_scored_post(
        session, "3", "mi pedido no ha llegado", 40, author="c",
        intent="delivery", topics="delivery", language="es",
    )  # fmt: skip
    add_scored_post(session, "4", "accès au compte", 30, author="d", topics="", language="fr")
    session.commit()

    app.run()
    frame = app.dataframe[0].value
    assert list(frame["Language"]) == ["English", "English", "Spanish", "French"]
    assert frame["Topics"].iloc[0] == "delivery, billing"

    app.multiselect(key="queue_topics").set_value(["billing"]).run()
    assert list(app.dataframe[0].value["Post"]) == ["parcel late and charged twice"]
    app.multiselect(key="queue_topics").set_value(["delivery"]).run()
    assert list(app.dataframe[0].value["Post"]) == [
        "parcel late and charged twice",
        "mi pedido no ha llegado",
    ]
    app.multiselect(key="queue_languages").set_value(["es"]).run()
    assert list(app.dataframe[0].value["Post"]) == ["mi pedido no ha llegado"]


def test_empty_queue_says_so(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert "No cases match" in app.info[0].value
