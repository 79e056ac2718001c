"""Small display helpers shared by pages (pure functions, tested without Streamlit)."""

from __future__ import annotations

import math

# Re-exported: pages take every label from here.
from monitor.cases.naming import author_label as author_label
from monitor.cases.naming import platform_label as platform_label
from monitor.vocab import SlaOutcome


def sla_label(minutes_left: float | None) -> str:
    """'12m left', '2h 5m left', 'overdue 40m' or 'answered'."""
    if minutes_left is None:
        return "answered"
    overdue = minutes_left < 0
    minutes = int(abs(minutes_left))
    hours, mins = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        span = f"{days}d {hours}h"
    elif hours:
        span = f"{hours}h {mins}m"
    else:
        span = f"{mins}m"
    return f"overdue {span}" if overdue else f"{span} left"


def due_label(minutes_left: float | None) -> str:
    """The live SLA countdown: 'due in 12 min', 'due in 2 h 5 min', 'overdue 5 min', or '-'
    when no reply is due (the team answered last, or the case is closed)."""
    if minutes_left is None:
        return "-"
    # Whole minutes, never 0: what is left rounds up, what is late rounds down.
    late = minutes_left < 0
    minutes = max(1, math.floor(-minutes_left) if late else math.ceil(minutes_left))
    hours, mins = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        span = f"{days} d {hours} h"
    elif hours:
        span = f"{hours} h {mins} min"
    else:
        span = f"{mins} min"
    return f"overdue {span}" if late else f"due in {span}"


def reach_label(followers: int, verified: bool) -> str:
    if followers >= 1_000_000:
        text = f"{followers / 1_000_000:.1f}M"
    elif followers >= 1_000:
        text = f"{followers / 1_000:.1f}k"
    else:
        text = str(followers)
    return f"{text} ✔" if verified else text


CHANNEL_LABELS = {
    ("x", "mention"): "X mention",
    ("x", "dm"): "X DM",
    ("x", "reply"): "X reply",
    ("facebook", "comment"): "Facebook comment",
    ("facebook", "dm"): "Messenger",
    ("facebook", "reply"): "Facebook reply",
    ("instagram", "comment"): "Instagram comment",
    ("instagram", "dm"): "Instagram DM",
    ("instagram", "reply"): "Instagram reply",
}


def channel_label(platform: str, kind: str) -> str:
    return CHANNEL_LABELS.get((platform, kind), f"{platform} {kind}")


# One meaning per colour on every chart: red is missed or breached, green is met, grey is
# still open or neutral.
COLOURS = {"bad": "#d62728", "good": "#2ca02c", "neutral": "#9e9e9e"}
SLA_OUTCOMES = {  # column in the SLA frame -> label and colour
    SlaOutcome.MET: ("Met", COLOURS["good"]),
    SlaOutcome.MISSED: ("Missed", COLOURS["bad"]),
    SlaOutcome.OPEN: ("Still open", COLOURS["neutral"]),
}


def minutes_label(minutes: float | None) -> str:
    """'42 min', '3.5 h', '2.1 days', or '—' when there is nothing to measure."""
    if minutes is None or minutes != minutes:  # None or NaN
        return "—"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


# Urgency factors (monitor/scoring/urgency.py and stakes.py) in the team's words.
FACTOR_LABELS = {
    "time_pressure": "needs it urgently",
    "essential_need": "essential or vulnerable need",
    "account_compromise": "account taken over",
    "money_taken": "money taken",
    "legal_threat": "legal threat",
    "safety": "safety risk",
    "access_loss": "locked out",
    "churn": "threatens to leave",
    "negative": "negative tone",
    "complaint": "complaint",
    "severity": "severity",
    "rising_anger": "angrier than before",
    "human_request": "asks for a human",
    "high_value": "high value at stake",
    "money": "mentions money",
    "order_number": "quotes an order",
    "repeat_contact": "contacted us before",
    "reach": "large audience",
    "public": "public post",
    "waiting": "waiting for us",
}


def human(value: object) -> str:
    """A stored key as words: 'delivery_failed' -> 'delivery failed'."""
    return str(value).replace("_", " ").strip()


def factor_label(name: str) -> str:
    return FACTOR_LABELS.get(name, human(name))


def duration_label(seconds: float | None) -> str:
    """306.6 -> '5 min 7 s', 18396 -> '5 h 6 min', None -> '-'."""
    if seconds is None:
        return "-"
    total = round(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"
