"""The `evaluate_rules` job: turn rule candidates into Alert rows, once each, without storms.

Safe to run in several processes at once: the dedupe key is unique in the database and rows
are inserted with ON CONFLICT DO NOTHING, so a race creates one row, never two.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.rules import RULE_FUNCTIONS, Candidate
from monitor.alerts.spikes import Incident, detect_spikes
from monitor.config import AlertSettings, QuietHours, RouteSettings, Settings
from monitor.db.engine import transaction
from monitor.db.models import Alert
from monitor.db.types import utcnow
from monitor.db.upsert import insert_ignoring_duplicates
from monitor.vocab import AlertStatus

log = logging.getLogger(__name__)
ALERTS = Alert.metadata.tables["alerts"]


def in_quiet_hours(quiet: QuietHours | None, now: datetime) -> bool:
    if quiet is None:
        return False
    start, end = quiet.window()
    local = now.astimezone(ZoneInfo(quiet.timezone)).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window spans midnight


def dedupe_key(rule: str, route: str, subject: str, episode: str) -> str:
    key = f"{rule}|{route}|{subject}|{episode}"
    if len(key) <= 200:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[:160]}#{digest}"


def _cooling_down(session: Session, rule: str, route: str, subject: str, since: datetime) -> bool:
    prefix = f"{rule}|{route}|{subject}|"
    query = select(func.count(Alert.id)).where(
        Alert.rule == rule,
        Alert.route == route,
        Alert.dedupe_key.startswith(prefix, autoescape=True),
        Alert.created_at > since,
    )
    return bool(session.scalar(query))


def spike_candidates(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    spike = settings.spike
    if not spike.enabled:
        return []
    bucket_seconds = spike.window_minutes * 60
    bucket = datetime.fromtimestamp(now.timestamp() // bucket_seconds * bucket_seconds, UTC)
    return [
        Candidate(
            "spike",
            f"spike:{incident.key}",
            bucket.strftime("%Y-%m-%dT%H:%MZ"),
            f"Spike: {incident.label}, {incident.ratio:.1f}x normal",
            _spike_body(incident, spike.window_minutes, spike.weeks, spike.baseline),
        )
        for incident in detect_spikes(session, spike, now)
    ]


def _spike_body(incident: Incident, window: int, weeks: int, baseline: str) -> str:
    examples = "\n".join(f"- {' '.join(text.split())[:200]}" for text in incident.examples)
    return (
        f"{incident.count} posts in the last {window} min; usually {incident.baseline:.1f} "
        f"at this hour of the week ({baseline} of the previous {weeks} weeks)."
        + (f"\nExamples:\n{examples}" if examples else "")
    )


def collect_candidates(session: Session, settings: AlertSettings, now: datetime) -> list[Candidate]:
    enabled = {rule for route in settings.routes for rule in route.rules if route.enabled}

    def wanted(rules: tuple[str, ...]) -> bool:
        return any(
            rule not in settings.rules.disabled and ("*" in enabled or rule in enabled)
            for rule in rules
        )

    found: list[Candidate] = []
    for rules, function in RULE_FUNCTIONS:
        if wanted(rules):
            found.extend(c for c in function(session, settings, now) if c.rule in rules)
    if wanted(("spike",)):
        found.extend(spike_candidates(session, settings, now))
    return [c for c in found if c.rule not in settings.rules.disabled]


def _route_accepts(route: RouteSettings, candidate: Candidate, settings: AlertSettings) -> bool:
    if not route.wants(candidate.rule):
        return False
    if candidate.rule == "urgency" and candidate.urgency is not None:
        threshold = route.min_urgency
        if threshold is None:
            threshold = settings.rules.urgency_threshold
        return candidate.urgency >= threshold
    return True


def evaluate_rules(
    sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """Create the alerts due at `now`; returns how many new rows were created."""
    config = settings.alerts
    if not config.enabled or not any(route.enabled for route in config.routes):
        return 0
    now = now or utcnow()
    with transaction(sessions) as session:
        candidates = collect_candidates(session, config, now)
        rows: list[dict[str, object]] = []
        taken: set[tuple[str, str, str]] = set()
        for candidate in candidates:
            for route in config.routes:
                slot = (candidate.rule, route.name, candidate.subject)
                if slot in taken or not _route_accepts(route, candidate, config):
                    continue
                key = dedupe_key(candidate.rule, route.name, candidate.subject, candidate.episode)
                if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None:
                    continue  # this episode was alerted already; a newer one may still be due
                since = now - timedelta(minutes=config.cooldown(candidate.rule))
                if _cooling_down(session, *slot, since):
                    continue
                taken.add(slot)
                quiet = route.quiet_hours
                hushed = in_quiet_hours(quiet, now) and candidate.rule not in (
                    quiet.bypass_rules if quiet else ()
                )
                rows.append(_row(candidate, route.name, key, now, hushed))
        inserted = insert_ignoring_duplicates(session, ALERTS, rows, ["dedupe_key"])
    if inserted:
        log.info("created %d alerts (%d candidates)", len(inserted), len(candidates))
    return len(inserted)


def _row(
    candidate: Candidate, route: str, key: str, now: datetime, hushed: bool
) -> dict[str, object]:
    return {
        "rule": candidate.rule,
        "route": route,
        "dedupe_key": key,
        "case_id": candidate.case_id,
        "title": candidate.title[:300],
        "body": candidate.body,
        "status": AlertStatus.SUPPRESSED if hushed else AlertStatus.PENDING,
        "attempts": 0,
        "error": "quiet hours" if hushed else None,
        "created_at": now,
    }
