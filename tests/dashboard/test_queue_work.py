"""The Queue page as an agent works it (AppTest on both backends): what needs a reply first,
counts, pages, search (hostile text too), saved views, row clicks, keys and bulk actions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from casework import link_author, make_case, make_customer, make_order, make_user, sign_in
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.db.models import Author, Case
from monitor.db.types import utcnow

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60)


def _case(session: Session, text: str, urgency: float, author: str, **fields: Any) -> Case:
    case = make_case(session, text, urgency, author=author)
    fields.setdefault("sla_due_at", utcnow() + timedelta(hours=2))
    for name, value in fields.items():
        setattr(case, name, value)
    session.flush()
    return case


def _column(app: AppTest, name: str) -> list[Any]:
    return list(app.dataframe[0].value[name])


def _counts(app: AppTest) -> str:
    return next(c.value for c in app.caption if "cases match" in c.value)


def _page_text(app: AppTest) -> str:
    """Everything the page shows as text, tables included."""
    parts = [e.value for kind in ("caption", "markdown", "info", "error", "success")
             for e in getattr(app, kind)]  # fmt: skip
    parts += [app.dataframe[i].value.to_csv() for i in range(len(app.dataframe))]
    return "\n".join(str(p) for p in parts)


def test_cases_owing_a_reply_come_first_with_a_live_countdown(
    app: AppTest, session: Session
) -> None:
    sign_in(app, session, "ann", "agent")
    _case(session, "thanks, all sorted", 95, "a", first_response_at=utcnow(), sla_due_at=None,
          status="waiting")  # fmt: skip
    _case(session, "where is my parcel", 30, "b", sla_due_at=utcnow() + timedelta(minutes=12))
    _case(session, "charged twice!!", 60, "c", sla_due_at=utcnow() - timedelta(minutes=5))
    session.commit()

    app.run()

    assert not app.exception
    assert _column(app, "Post") == ["charged twice!!", "where is my parcel", "thanks, all sorted"]
    assert _column(app, "Reply") == ["needs first reply", "needs first reply", "answered"]
    assert not any("Read-only" in c.value for c in app.caption)  # an agent may work them
    assert _column(app, "Due")[0] == "overdue 5 min"
    assert _column(app, "Due")[1] in ("due in 12 min", "due in 11 min")
    assert _column(app, "Due")[2] == "-"
    assert _column(app, "Why")[0].startswith("negative 0.50")  # the reason is a column
    assert list(app.dataframe[0].value.columns[:7]) == [
        " ", "Case", "Urgency", "Due", "Reply", "Why", "Author",
    ]  # fmt: skip
    counts = _counts(app)
    assert "**3** cases match" in counts and "2 need a first reply" in counts
    assert "new 2" in counts and "waiting 1" in counts and "closed 0" in counts


def test_pages_and_page_size(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ann", "agent")
    for n in range(1, 31):
        _case(session, f"post number {n}", n, f"u{n}")
    session.commit()

    app.run()
    assert len(app.dataframe[0].value) == 30  # the default page holds 50
    app.selectbox(key="queue_page_size").set_value(25).run()
    assert _column(app, "Urgency")[:2] == [30, 29] and len(app.dataframe[0].value) == 25
    assert any("Page 1 of 2 · cases 1-25 of 30" in c.value for c in app.caption)

    app.button(key="queue_next_page").click().run()

    assert _column(app, "Urgency") == [5, 4, 3, 2, 1]
    assert any("Page 2 of 2 · cases 26-30 of 30" in c.value for c in app.caption)
    assert app.button(key="queue_next_page").disabled
    app.text_input(key="queue_search").set_value("number 1").run()  # new filters: page 1
    assert _column(app, "Post")[0] == "post number 19"
    assert any("Page 1 of 1" in c.value for c in app.caption)


def test_search_by_words_handle_and_case_id(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ann", "agent")
    parcel = _case(session, "my parcel never came", 50, "dana")
    refund = _case(session, "refund please", 40, "eli")
    session.commit()

    app.run()
    for query, expected in (
        ("PARCEL", [parcel.id]), ("@userel", [refund.id]), (f"#{refund.id}", [refund.id]),
    ):  # fmt: skip
        app.text_input(key="queue_search").set_value(query).run()
        assert _column(app, "Case") == expected, query
    app.text_input(key="queue_search").set_value("nothing like this").run()
    assert "No cases match" in app.info[0].value


@pytest.mark.parametrize(
    "query",
    ["%", "_", "' OR 1=1 --", "**bold** $x$ :red[hi] [a](https://evil.example)", "\u202e",
     "\\", "x" * 300],
)  # fmt: skip
def test_hostile_search_text_finds_only_literal_matches(
    app: AppTest, session: Session, query: str
) -> None:
    sign_in(app, session, "ann", "agent")
    _case(session, "my parcel never came", 50, "dana")
    _case(session, "refund please", 40, "eli")
    session.commit()

    app.run()
    app.text_input(key="queue_search").set_value(query[:200]).run()

    assert not app.exception
    assert not app.dataframe, f"{query!r} matched cases it does not appear in"
    assert "No cases match" in app.info[0].value


def test_an_order_number_shows_its_own_customers_case_and_nothing_of_the_order(
    app: AppTest, session: Session
) -> None:
    sign_in(app, session, "ann", "agent")
    dana = make_customer(session, "Dana Reyes", "dana")
    eve = make_customer(session, "Eve Stone", "eve")
    make_order(session, dana, "111-1111111-1111111", "40.00", item="Phone case")
    make_order(session, eve, "222-2222222-2222222", "1899.00", item="OLED television")
    dana_case = _case(session, "my case is broken", 70, "dana")
    eve_case = _case(session, "where is my tv", 60, "eve")
    link_author(session, dana_case, dana)
    link_author(session, eve_case, eve)
    session.commit()

    app.run()
    app.text_input(key="queue_search").set_value("222-2222222-2222222").run()

    assert _column(app, "Case") == [eve_case.id]
    shown = _page_text(app)
    for secret in ("1899", "OLED", "Eve Stone", "Dana Reyes", "111-1111111"):
        assert secret not in shown  # the queue shows the case, never the order's details
    app.text_input(key="queue_search").set_value("111-1111111-1111111").run()
    assert _column(app, "Case") == [dana_case.id]


def test_saved_views(app: AppTest, session: Session) -> None:
    ann = sign_in(app, session, "ann", "agent")
    bob = make_user(session, "bob", "agent")
    mine = _case(session, "mine", 50, "a", assignee_id=ann.user_id)
    bobs = _case(session, "bob's", 60, "b", assignee_id=bob.user_id)
    soon = _case(session, "due soon", 40, "c", sla_due_at=utcnow() + timedelta(minutes=10))
    answered = _case(session, "answered", 90, "d", first_response_at=utcnow(), sla_due_at=None)
    session.commit()

    app.run()
    assert _column(app, "Case") == [bobs.id, mine.id, soon.id, answered.id]
    expected = {
        "mine": [mine.id],
        "unassigned": [soon.id, answered.id],
        "breaching": [soon.id],
        "first": [bobs.id, mine.id, soon.id],
        "all": [bobs.id, mine.id, soon.id, answered.id],
    }
    for view, ids in expected.items():
        app.button_group(key="queue_view").set_value(view).run()
        assert _column(app, "Case") == ids, view
    assert _column(app, "Owner") == ["bob", "ann", "-", "-"]


def test_a_click_on_a_row_opens_its_case_with_its_link(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ann", "agent")
    _case(session, "first", 80, "a")
    second = _case(session, "second", 70, "b")
    session.commit()

    app.run()
    key = app.dataframe[0].key
    assert key is not None
    app.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [(1, "Post")]}}
    app.run()

    assert not app.exception
    assert app.session_state["case_id"] == second.id
    assert app.query_params["case"] == str(second.id)  # the address bar is its link
    assert any(t.value == "Case" for t in app.title)
    assert any(c.value.endswith(f"/case?case={second.id}") for c in app.code)  # to copy


def test_authors_are_named_not_numbered(app: AppTest, session: Session) -> None:
    """Facebook ids are long numbers: the queue shows the display name, or the platform and
    the id's last digits when there is none; X handles stay @handle."""
    sign_in(app, session, "ann", "agent")
    named = _case(session, "my order is late", 80, "d")
    unnamed = _case(session, "where is my refund", 70, "e")
    _case(session, "charged twice", 60, "f")
    for case, name in ((named, "Dana Reyes"), (unnamed, None)):
        author = session.get_one(Author, case.author_id)
        author.platform, author.handle, author.display_name = "facebook", "100004567891234", name
        author.external_id = f"fb-{case.id}"
        case.platform = "facebook"
    session.commit()

    app.run()

    assert not app.exception
    assert _column(app, "Author") == ["Dana Reyes", "Facebook user …1234", "@userf"]


def test_keys_move_the_marker_and_open_the_case(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ann", "agent")
    ids = [_case(session, f"post {n}", 90 - n, f"u{n}").id for n in range(3)]
    session.commit()

    app.run()
    assert _column(app, " ") == ["▶", "", ""]
    app.button(key="queue_down").click().run()  # j
    app.button(key="queue_down").click().run()
    app.button(key="queue_down").click().run()  # stays on the last row
    assert _column(app, " ") == ["", "", "▶"]
    app.button(key="queue_up").click().run()  # k
    assert _column(app, " ") == ["", "▶", ""]
    scripts = [h.value for h in app.get("html")]  # type: ignore[attr-defined]
    assert any('"j": "queue_down"' in s for s in scripts)

    app.button(key="queue_open").click().run()  # Enter

    assert app.session_state["case_id"] == ids[1]
    assert any(t.value == "Case" for t in app.title)
    assert not _focus_scripts(app)  # Enter opens the case; the cursor stays where it was
    app.switch_page("views/queue.py").run()
    app.button(key="queue_reply").click().run()  # r: the ▶ case, cursor in the reply box
    assert any(t.value == "Case" for t in app.title)
    [focus] = _focus_scripts(app)
    assert f"reply_{ids[1]}_" in focus and "_text textarea" in focus
    assert "case_reply_first" not in app.session_state  # used once, not on every rerun
    app.run()
    assert not _focus_scripts(app)


def _focus_scripts(app: AppTest) -> list[str]:
    scripts = [h.value for h in app.get("html")]  # type: ignore[attr-defined]
    return [s for s in scripts if "box.focus()" in s]


def test_a_read_only_role_gets_no_work_buttons(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ada", "analyst")
    _case(session, "post", 50, "a")
    session.commit()

    app.run()

    assert not app.exception
    keys = {b.key for b in app.button}
    assert "queue_open" in keys and "queue_reply" not in keys
    assert not [b for b in app.button if b.label == "Claim"]
    assert not [t for t in app.toggle if t.key == "queue_bulk"]
    assert any(c.value.startswith("Read-only access") for c in app.caption)  # and says why


def test_bulk_close_reports_each_refusal(app: AppTest, session: Session) -> None:
    sign_in(app, session, "ann", "agent")
    bob = make_user(session, "bob", "agent")
    free = _case(session, "free one", 80, "a")
    bobs = _case(session, "bob's one", 70, "b", assignee_id=bob.user_id)
    session.commit()

    app.run()
    app.toggle(key="queue_bulk").set_value(True).run()
    key = app.dataframe[0].key
    assert key is not None
    app.session_state[key] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    app.run()
    assert any("2 selected" in c.value for c in app.caption)
    next(b for b in app.button if b.label == "Close selected").click().run()

    assert not app.exception
    assert "Closed 1 of 2 cases" in app.warning[0].value
    refused = app.dataframe[-1].value
    assert list(refused["Case"]) == [bobs.id] and "bob owns it" in refused["Why not"].iloc[0]
    statuses = dict(session.execute(select(Case.id, Case.status)).all())  # type: ignore[arg-type]
    assert statuses == {free.id: "closed", bobs.id: "new"}
