"""queue order: an index in the Queue's own order, so a page of it reads only that page

Revision ID: 0012_queue_order
Revises: 0011_reply_templates
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_queue_order"
down_revision = "0011_reply_templates"
branch_labels = None
depends_on = None

# The same expression as monitor.cases.queue.answered_last(): true once the team answered last.
ANSWERED_LAST = "(first_response_at IS NOT NULL AND sla_due_at IS NULL)"


def upgrade() -> None:
    op.create_index(
        "ix_cases_queue_order",
        "cases",
        [sa.text(ANSWERED_LAST), sa.text("priority DESC"), sa.text("last_post_at DESC"), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_cases_queue_order", table_name="cases")
