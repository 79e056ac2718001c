"""The `[sla]` section: how long the team has to answer a customer first.

Before this section existed the same keys lived under `[scoring]`; `RENAMED` maps each old
key to its new one, and the loader (monitor/settings.py) still reads the old spelling with a
deprecation warning.
"""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section

# Old dotted key -> new dotted key.
RENAMED = {
    "scoring.sla_hours_public": "sla.public_hours",
    "scoring.sla_hours_private": "sla.private_hours",
    "scoring.critical_urgency": "sla.critical_urgency",
}


class SlaSettings(Section):
    public_hours: float = Field(1.0, gt=0)  # posts, comments, mentions
    private_hours: float = Field(4.0, gt=0)  # direct messages
    # A post at or above this urgency gets a quarter of the time (see monitor/cases/sla.py).
    critical_urgency: float = Field(80.0, ge=0, le=100)
