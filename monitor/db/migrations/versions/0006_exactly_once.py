"""exactly once: submission keys, order-system calls, attempt state on the outbox and alerts

Revision ID: 0006_exactly_once
Revises: 0005_impostors
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_exactly_once"
down_revision = "0005_impostors"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_submissions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("key", name=op.f("uq_submissions_key")),
    )
    op.create_index(op.f("ix_submissions_case_id"), "submissions", ["case_id"], unique=False)
    op.create_table(
        "order_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", _WHEN, nullable=True),
        sa.Column("next_attempt_at", _WHEN, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_order_calls_resolution_id_resolutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_calls")),
        sa.UniqueConstraint("resolution_id", name=op.f("uq_order_calls_resolution_id")),
    )
    op.create_index(op.f("ix_order_calls_status"), "order_calls", ["status"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("claimed_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", _WHEN, nullable=True))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", _WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("claimed_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("attempts")
    op.drop_index(op.f("ix_order_calls_status"), table_name="order_calls")
    op.drop_table("order_calls")
    op.drop_index(op.f("ix_submissions_case_id"), table_name="submissions")
    op.drop_table("submissions")
