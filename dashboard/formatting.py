"""Small display helpers shared by pages (pure functions, tested without Streamlit)."""

from __future__ import annotations


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
