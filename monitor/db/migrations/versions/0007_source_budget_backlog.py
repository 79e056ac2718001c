"""source_states: rate-limit budget, pacing, consecutive failures and backlog

Revision ID: 0007_source_budget_backlog
Revises: 0006_exactly_once
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_source_budget_backlog"
down_revision = "0006_exactly_once"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limit_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("catching_up_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("backlog", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("backlog_growing_polls", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("source_states", schema=None) as batch_op:
        for column in (
            "backlog_growing_polls",
            "backlog",
            "catching_up_since",
            "consecutive_failures",
            "next_poll_at",
            "rate_limit_limit",
        ):
            batch_op.drop_column(column)
