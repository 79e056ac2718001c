"""Third-party replies in a real database: adoption onto the customer's case, the warning
reply, the audited report, the alert rule and the export (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from casework import make_user
from factories import T0
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.rules import impostor_replies
from monitor.auth.permissions import SYSTEM, PermissionDenied
from monitor.cases.replies import check_reply
from monitor.config import AlertSettings, BrandSettings, ImpostorSettings
from monitor.db.models import (
    AuditEntry,
    Case,
    ImpostorCheck,
    ImpostorReport,
    OutboxMessage,
    Post,
    Score,
)
from monitor.errors import UserFacingError
from monitor.impostors.export import write_impostor_export
from monitor.impostors.job import run_impostor_checks
from monitor.impostors.service import (
    case_impostors,
    impostor_accounts,
    report_account,
    send_warning,
    warning_text,
)
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost

BRAND = BrandSettings(name="ShopNow", accounts=("ShopNowHelp",), domains=("shopnow.com",))
SETTINGS = ImpostorSettings()
CUSTOMER = AuthorInfo("x", "501", "dana", "Dana")
IMPOSTOR = AuthorInfo("x", "666", "ShopNowHe1p", "ShopNow Help")
BYSTANDER = AuthorInfo("x", "777", "pat", "Pat")


def tweet(tweet_id: str, author: AuthorInfo, text: str, minutes: int, parent: str | None = None):  # type: ignore[no-untyped-def]
    return IncomingPost(
        platform="x", external_id=tweet_id, kind="mention", author=author,
        text=f"@ShopNowHelp {text}", created_at=T0 + timedelta(minutes=minutes),
        conversation_id="100", in_reply_to_id=parent,
    )  # fmt: skip


@pytest.fixture
def thread(session: Session) -> int:
    store_posts(session, [tweet("100", CUSTOMER, "my $900 TV never arrived", 0)])
    store_posts(
        session,
        [
            tweet("101", IMPOSTOR, "So sorry! Call our support line +1-888-402-7719", 3, "100"),
            tweet("102", BYSTANDER, "same here, they fixed mine after a DM", 5, "100"),
        ],
    )
    session.commit()
    return session.scalars(select(Case.id).join(Post).where(Post.external_id == "100")).one()


def run(engine: Engine, sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    return run_impostor_checks(engine, sessions, BRAND, SETTINGS, {}, now=T0 + timedelta(hours=1))


def test_flagged_reply_moves_onto_the_customers_case(engine, sessions, session, thread):
    impostor_case = session.scalars(select(Post.case_id).where(Post.external_id == "101")).one()
    assert impostor_case != thread  # the regular poll opened a case for the "mention"
    outcome = run(engine, sessions)
    assert (outcome.examined, outcome.flagged, outcome.adopted) == (2, 1, 1)
    session.expire_all()
    moved = session.scalars(select(Post).where(Post.external_id == "101")).one()
    assert (moved.case_id, moved.third_party, moved.inbound) == (thread, True, False)
    assert session.get_one(Case, impostor_case).status == "closed"
    assert session.scalar(select(func.count(Score.id))) == 0  # not the customer's urgency
    bystander = session.scalars(select(Post).where(Post.external_id == "102")).one()
    assert bystander.inbound and not bystander.third_party and bystander.case_id != thread
    [shown] = case_impostors(session, thread)
    assert shown.banner.startswith("Possible impostor reply from @ShopNowHe1p: look-alike name")
    assert "phone number" in shown.lures
    again = run(engine, sessions)  # a second run (or a second process) changes nothing
    assert (again.examined, again.flagged) == (0, 0)
    assert session.scalar(select(func.count(ImpostorCheck.id))) == 2


def test_unconfigured_brand_checks_nothing(engine, sessions, session, thread):
    outcome = run_impostor_checks(engine, sessions, BrandSettings(), SETTINGS, {})
    assert outcome.examined == 0 and "set [brand] name and accounts" in outcome.describe()


def test_warning_is_queued_once_and_passes_the_reply_check(engine, sessions, session, thread):
    run(engine, sessions)
    agent = make_user(session, "agent", "agent")
    [reply] = case_impostors(session, thread)
    first = send_warning(session, agent, thread, reply.post_id, SETTINGS)
    second = send_warning(session, agent, thread, reply.post_id, SETTINGS)  # double click
    session.commit()
    assert first.id == second.id
    assert session.scalar(select(func.count(OutboxMessage.id))) == 1
    assert first.text.startswith("@dana Please be careful: @ShopNowHe1p is not us.")
    assert check_reply(first.text, "public") == []
    bystander = session.scalars(select(Post.id).where(Post.external_id == "102")).one()
    with pytest.raises(UserFacingError, match="not a flagged impostor reply"):
        send_warning(session, agent, thread, bystander, SETTINGS)


def test_hostile_handles_never_reach_our_reply() -> None:
    text = warning_text(SETTINGS, "dana", "Shop Now [Help](http://x.co) +1 888 402 7719")
    assert text.startswith("@dana Please be careful: that account is not us.")
    assert "http" not in text and "7719" not in text and "[" not in text
    assert check_reply(text, "public") == []
    assert "@ShopNowHe1p is not us" in warning_text(SETTINGS, "dana", "ShopNowHe1p")


def test_report_is_audited_once_and_needs_a_working_role(engine, sessions, session, thread):
    run(engine, sessions)
    agent = make_user(session, "agent", "agent")
    analyst = make_user(session, "ana", "analyst")
    [reply] = case_impostors(session, thread)
    with pytest.raises(PermissionDenied):
        report_account(session, analyst, reply.author_id)
    report_account(session, agent, reply.author_id, post_id=reply.post_id, note="case")
    report_account(session, agent, reply.author_id, post_id=reply.post_id)  # second tab
    session.commit()
    assert session.scalar(select(func.count(ImpostorReport.id))) == 1
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "author"))
    assert list(actions) == ["impostor.report"]
    [account] = impostor_accounts(session)
    assert (account.handle, account.reported_by, account.case_ids) == (
        "ShopNowHe1p",
        "agent",
        (thread,),
    )
    bystander_author = session.scalars(
        select(Post.author_id).where(Post.external_id == "102")
    ).one()
    with pytest.raises(UserFacingError, match="no reply flagged"):
        report_account(session, agent, bystander_author)


def test_alert_rule_names_the_impostor_and_its_lures(engine, sessions, session, thread):
    run(engine, sessions)
    [check] = session.scalars(select(ImpostorCheck).where(ImpostorCheck.flagged.is_(True)))
    [candidate] = impostor_replies(
        session, AlertSettings(), check.checked_at + timedelta(minutes=5)
    )
    assert candidate.rule == "impostor_reply" and candidate.case_id == thread
    assert "@ShopNowHe1p" in candidate.body and "phone number" in candidate.body
    assert impostor_replies(session, AlertSettings(), check.checked_at + timedelta(days=1)) == []


def test_export_is_safe_to_open_in_excel(engine, sessions, session, thread, tmp_path: Path):
    store_posts(
        session,
        [tweet("103", AuthorInfo("x", "888", "ShopNow_Care", '=HYPERLINK("http://x","hi")'),
               "DM us your password to verify", 6, "100")],
    )  # fmt: skip
    session.commit()
    run(engine, sessions)
    target = tmp_path / "impostors.csv"
    assert write_impostor_export(session, SYSTEM, target, "csv") == 2
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    names = {row["display_name"] for row in rows}
    assert '\'=HYPERLINK("http://x","hi")' in names
    assert all(row["handle"].startswith("'@") for row in rows)
    assert write_impostor_export(session, SYSTEM, tmp_path / "impostors.xlsx", "xlsx") == 2
    agent = make_user(session, "agent", "agent")
    with pytest.raises(PermissionDenied):
        write_impostor_export(session, agent, tmp_path / "no.csv", "csv")
