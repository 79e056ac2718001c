"""Agents correct the model on a case: stored beside what the model said, audited, exported,
and measured by `monitor model eval`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from casework import make_user
from factories import T0, add_scored_post
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.auth.permissions import PermissionDenied
from monitor.cases.actions import CaseActionError
from monitor.cases.audit import verify_chain
from monitor.cases.feedback import case_feedback, correct_intent, corrections, rate_urgency
from monitor.config import Settings
from monitor.db.models import AuditEntry, Case, ModelFeedback
from monitor.reports.export import export_report
from monitor.scoring.labelled_eval import corrections_agreement
from monitor.scoring.model import TextModel


def test_intent_correction_is_stored_audited_and_reroutes_the_case(session: Session) -> None:
    ann = make_user(session, "ann", "agent")
    post = add_scored_post(session, "1", "someone logged into my account", 40, intent="delivery")
    assert post.case is not None
    case_id = post.case.id

    feedback = correct_intent(session, ann, case_id, "account_security")
    assert feedback is not None
    assert (feedback.model_intent, feedback.intent, feedback.post_id) == (
        "delivery", "account_security", post.id,
    )  # fmt: skip
    assert session.get_one(Case, case_id).intent == "account_security"
    # A double click or a second tab stores nothing twice.
    assert correct_intent(session, ann, case_id, "account_security") is None
    assert len(session.scalars(select(ModelFeedback)).all()) == 1
    [entry] = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "case",
            AuditEntry.entity_id == str(case_id),
            AuditEntry.action.endswith("correction"),
        )
    ).all()
    assert entry.actor == "ann" and entry.before == {
        "intent": "delivery", "model_intent": "delivery",
    }  # fmt: skip
    assert verify_chain(session).intact
    assert case_feedback(session, case_id) == [
        "ann: intent is account security (model said delivery)"
    ]


def test_urgency_feedback_and_refusals(session: Session) -> None:
    ann = make_user(session, "ann", "agent")
    viewer = make_user(session, "vic", "analyst")
    post = add_scored_post(session, "1", "my insulin has not arrived", 30, intent="delivery")
    assert post.case is not None
    case_id = post.case.id

    more = rate_urgency(session, ann, case_id, 1)
    assert more is not None and more.model_urgency == 30 and more.urgency_direction == 1
    assert rate_urgency(session, ann, case_id, 1) is None  # repeat
    assert rate_urgency(session, ann, case_id, -1) is not None  # changed their mind
    assert case_feedback(session, case_id)[0] == "ann: more urgent than 30"
    with pytest.raises(CaseActionError, match="unknown intent"):
        correct_intent(session, ann, case_id, "refunds<script>")
    with pytest.raises(CaseActionError, match=r"\+1 \(more urgent\)"):
        rate_urgency(session, ann, case_id, 5)
    with pytest.raises(PermissionDenied):
        rate_urgency(session, viewer, case_id, 1)
    with pytest.raises(CaseActionError, match="no case"):
        rate_urgency(session, ann, 9999, 1)


def test_corrections_show_in_the_post_export(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    ann = make_user(session, "ann", "agent")
    analyst = make_user(session, "vic", "analyst")
    post = add_scored_post(session, "1", "charged for something I never ordered", 30)
    other = add_scored_post(session, "2", "thanks!", 2, author="2002", minutes=1)
    assert post.case is not None and other.case is not None
    correct_intent(session, ann, post.case.id, "account_security")
    rate_urgency(session, ann, post.case.id, 1)
    session.commit()

    export_report(sessions, Settings(), analyst, "csv", tmp_path / "r.csv", now=T0.replace(day=21))
    posts = pd.read_csv(
        tmp_path / "r-posts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    row = posts[posts.platform_post_id == "1"].iloc[0]
    assert (row.team_intent, row.team_urgency, row.topics, row.language) == (
        "account_security", "more urgent", "other", "en",
    )  # fmt: skip
    untouched = posts[posts.platform_post_id == "2"].iloc[0]
    assert (untouched.team_intent, untouched.team_urgency) == ("", "")


def test_model_eval_measures_agreement_with_the_team(
    session: Session, text_model: TextModel
) -> None:
    ann = make_user(session, "ann", "agent")
    hacked = add_scored_post(
        session, "1", "someone hacked my account and changed my password", 30, intent="billing"
    )
    insulin = add_scored_post(
        session, "2", "my insulin is late and I have none left, I need it today", 5,
        author="2002", intent="delivery",
    )  # fmt: skip
    calm = add_scored_post(session, "3", "thanks, all sorted", 95, author="2003", intent="praise")
    assert hacked.case and insulin.case and calm.case
    correct_intent(session, ann, hacked.case.id, "account_security")
    rate_urgency(session, ann, insulin.case.id, 1)
    rate_urgency(session, ann, calm.case.id, -1)
    settings = Settings()

    result = corrections_agreement(
        corrections(session), text_model, settings.urgency, settings.stakes
    )
    assert result["intent_corrections"] == 1 and result["urgency_feedback"] == 2
    assert result["intent_agreement"] == 1.0  # the model now routes it as the agent did
    assert result["urgency_agreement"] == 1.0
