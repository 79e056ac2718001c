"""How messages and pages name a platform and an author, so no raw key or numeric id leaks
into what people read."""

from __future__ import annotations

PLATFORM_LABELS = {"x": "X", "facebook": "Facebook", "instagram": "Instagram"}


def platform_label(platform: str) -> str:
    """'x' -> 'X': platform names as people write them."""
    return PLATFORM_LABELS.get(platform, platform.replace("_", " ").capitalize())


def author_label(platform: str, handle: str, name: str | None) -> str:
    """Facebook and Instagram ids are long numbers, so show the display name (or 'Facebook
    user …1234') rather than '@100004567891234'; X handles stay '@handle'."""
    if handle.isdigit() and len(handle) > 6:
        if name and name.strip() and name != handle:
            return name.strip()
        return f"{platform_label(platform)} user …{handle[-4:]}"
    return f"@{handle}"
