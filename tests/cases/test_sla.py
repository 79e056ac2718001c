"""The one first-response deadline rule: its table, its settings, and the three places that
use it (ingest, the score roll-up, report rows) agreeing on a real database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import monitor.settings as settings_module
from monitor.cases.rollup import roll_up
from monitor.cases.sla import SlaPolicy
from monitor.config import SlaSettings
from monitor.db.models import Case, Post, Score
from monitor.ingest import store_posts
from monitor.reports.rows import CASE_COLUMNS, case_rows
from monitor.settings import SettingsError, load_settings
from monitor.sources.base import AuthorInfo, IncomingPost

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CUSTOM = SlaSettings(public_hours=2, private_hours=8, critical_urgency=70)


@pytest.mark.parametrize(
    ("settings", "kind", "urgency", "hours"),
    [
        (SlaSettings(), "mention", None, 1.0),
        (SlaSettings(), "comment", None, 1.0),
        (SlaSettings(), "dm", None, 4.0),
        (SlaSettings(), "mention", 79.99, 1.0),  # just under critical: the usual time
        (SlaSettings(), "mention", 80.0, 0.25),  # exactly critical: a quarter
        (SlaSettings(), "dm", 80.0, 1.0),
        (SlaSettings(), "dm", 100.0, 1.0),
        (SlaSettings(), "mention", 0.0, 1.0),
        (CUSTOM, "mention", 69.9, 2.0),
        (CUSTOM, "mention", 70.0, 0.5),
        (CUSTOM, "dm", 70.0, 2.0),
        (CUSTOM, "dm", None, 8.0),
    ],
)
def test_hours_by_kind_and_urgency(
    settings: SlaSettings, kind: str, urgency: float | None, hours: float
) -> None:
    policy = SlaPolicy(settings)
    assert policy.hours(kind, urgency) == hours
    assert policy.due(T0, kind, urgency) == T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("due", "posted_minutes", "kind", "urgency", "expected"),
    [
        (None, 0, "mention", 95.0, None),  # answered: no clock to tighten
        (T0 + timedelta(hours=1), 0, "mention", 50.0, T0 + timedelta(hours=1)),
        (T0 + timedelta(hours=1), 0, "mention", None, T0 + timedelta(hours=1)),
        (T0 + timedelta(hours=1), 0, "mention", 80.0, T0 + timedelta(minutes=15)),
        (T0 + timedelta(hours=4), 30, "dm", 90.0, T0 + timedelta(minutes=90)),
        # A later critical post whose quarter ends after the running deadline changes nothing.
        (T0 + timedelta(hours=1), 50, "mention", 99.0, T0 + timedelta(hours=1)),
    ],
)
def test_a_score_only_brings_a_deadline_forward(
    due: datetime | None,
    posted_minutes: int,
    kind: str,
    urgency: float | None,
    expected: datetime | None,
) -> None:
    posted = T0 + timedelta(minutes=posted_minutes)
    assert SlaPolicy().tightened(due, posted, kind, urgency) == expected


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", SlaSettings()),
        ("[sla]\npublic_hours = 2\nprivate_hours = 8\ncritical_urgency = 70\n", CUSTOM),
        ("[sla]\npublic_hours = 0.5\n", SlaSettings(public_hours=0.5)),
        ("[scoring]\n", SlaSettings()),  # an empty old section still loads
    ],
)
def test_sla_section_is_read(tmp_path: Path, body: str, expected: SlaSettings) -> None:
    assert load_settings(_config(tmp_path, body)).sla == expected


@pytest.mark.parametrize(
    ("body", "old", "new", "expected"),
    [
        ("[scoring]\nsla_hours_public = 2\n", "scoring.sla_hours_public", "sla.public_hours",
         SlaSettings(public_hours=2)),
        ("[scoring]\nsla_hours_private = 8\n", "scoring.sla_hours_private", "sla.private_hours",
         SlaSettings(private_hours=8)),
        ("[scoring]\ncritical_urgency = 70\n[sla]\npublic_hours = 3\n",
         "scoring.critical_urgency", "sla.critical_urgency",
         SlaSettings(public_hours=3, critical_urgency=70)),
    ],
)  # fmt: skip
def test_old_scoring_keys_still_work_with_one_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    body: str,
    old: str,
    new: str,
    expected: SlaSettings,
) -> None:
    monkeypatch.setattr(settings_module, "_WARNED", set())  # a fresh process
    path = _config(tmp_path, body)
    with caplog.at_level(logging.WARNING, logger="monitor.settings"):
        first = load_settings(path)
        again = load_settings(path)
    assert first.sla == again.sla == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # once per process, not once per load
    assert f"`{old}`" in warnings[0] and f"`{new}`" in warnings[0] and str(path) in warnings[0]


def test_the_shipped_config_uses_the_new_keys(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="monitor.settings"):
        settings = load_settings(settings_module.DEFAULT_CONFIG)
    assert settings.sla == SlaSettings()
    assert not [r for r in caplog.records if "deprecated" in r.getMessage()]


@pytest.mark.parametrize(
    ("body", "old", "new"),
    [
        ("[scoring]\nsla_hours_public = 2\n[sla]\npublic_hours = 3\n",
         "scoring.sla_hours_public", "sla.public_hours"),
        ("[sla]\ncritical_urgency = 60\n[scoring]\ncritical_urgency = 70\n",
         "scoring.critical_urgency", "sla.critical_urgency"),
    ],
)  # fmt: skip
def test_old_and_new_key_together_are_refused(
    tmp_path: Path, body: str, old: str, new: str
) -> None:
    path = _config(tmp_path, body)
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    message = str(error.value)
    assert f"`{old}`" in message and f"`{new}`" in message and str(path) in message


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[sla]\npublic_hours = 0\n", "`sla.public_hours`"),
        ("[sla]\ncritical_urgency = 101\n", "`sla.critical_urgency`"),
        (
            "[scoring]\nsla_hours_private = -1\n",
            "`scoring.sla_hours_private` \\(now `sla.private_hours`\\)",
        ),
        ("[scoring]\nweight = 1\n", "`scoring`"),  # nothing else ever lived in [scoring]
    ],
)
def test_bad_sla_values_name_the_key(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        load_settings(_config(tmp_path, body))


def _incoming(ext: str, kind: str, minutes: int) -> IncomingPost:
    return IncomingPost(
        "x", ext, kind, AuthorInfo("x", "2002", "customer"), f"post {ext}",
        T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def _score(post: Post, urgency: float, intent: str) -> Score:
    return Score(
        post=post, model_version="test", negative=0.5, neutral=0.3, positive=0.2,
        complaint=None, severity=None, urgency=urgency, intent=intent, factors={},
    )  # fmt: skip


def test_ingest_roll_up_and_reports_agree_on_the_deadline(session: Session) -> None:
    policy = SlaPolicy(CUSTOM)
    store_posts(session, [_incoming("1", "mention", 0), _incoming("2", "mention", 20)], policy)
    session.flush()
    case = session.scalars(select(Case)).one()
    assert case.sla_due_at == T0 + timedelta(hours=2)  # ingest: the first post starts it
    first, second = sorted(case.posts, key=lambda p: p.created_at)

    scores = [_score(first, 40.0, "delivery"), _score(second, 75.0, "refund")]
    session.add_all(scores)
    roll_up(scores, policy)
    session.commit()

    # The second post is critical (>= 70): half an hour from when it was posted.
    assert case.sla_due_at == T0 + timedelta(minutes=20 + 30)
    assert (case.priority, case.intent) == (75.0, "refund")
    names = [c.name for c in CASE_COLUMNS]
    row: dict[str, Any] = dict(
        zip(names, next(iter(case_rows(session, None, None, policy, T0))), strict=True)
    )
    assert row["sla_due_at_utc"] == case.sla_due_at  # reports re-derive the same deadline


def test_roll_up_keeps_the_peak_and_leaves_an_answered_case_without_a_clock(
    session: Session,
) -> None:
    store_posts(session, [_incoming("1", "dm", 0)])
    session.flush()
    case = session.scalars(select(Case)).one()
    case.sla_due_at = None  # answered in the meantime
    case.priority, case.intent = 90.0, "fraud"
    score = _score(case.posts[0], 85.0, "delivery")
    session.add(score)
    roll_up([score], SlaPolicy())
    assert case.sla_due_at is None
    assert (case.priority, case.intent) == (90.0, "fraud")  # a lower score changes nothing
