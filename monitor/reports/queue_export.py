"""The Queue page's download: the cases on screen as a CSV that Excel cannot misread.

Streamlit's own table toolbar would write cells as they are (`=HYPERLINK(...)` becomes a live
formula) and ignores who may export, so the dashboard turns it off and offers this instead:
the same `reports.export` permission and the same cell rules as `monitor export`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from monitor.auth.permissions import Actor, require
from monitor.cases.queue import QueueRow
from monitor.reports.safe import iso_utc, neutralise
from monitor.vocab import Permission

HEADER = (
    "case_id", "urgency", "status", "platform", "channel", "intent", "author", "followers",
    "text", "explanation", "posts", "last_post_at_utc", "sla_due_at_utc",
)  # fmt: skip


def queue_csv(actor: Actor, rows: Sequence[QueueRow]) -> bytes:
    """UTF-8 with a byte-order mark; every text cell neutralised, ids and times as text."""
    require(actor, Permission.REPORTS_EXPORT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in rows:
        text = (r.status, r.platform, r.channel, r.intent, r.author, r.text, r.explanation)
        status, platform, channel, intent, author, post, why = (neutralise(t) for t in text)
        writer.writerow(
            [str(r.case_id), f"{r.urgency:.1f}", status, platform, channel, intent, author,
             r.followers, post, why, r.posts, iso_utc(r.last_post_at), iso_utc(r.sla_due_at)]
        )  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
