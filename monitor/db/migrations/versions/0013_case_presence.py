"""case presence: who has a case open or is writing a reply on it

Revision ID: 0013_case_presence
Revises: 0012_queue_order
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_case_presence"
down_revision = "0012_queue_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_presence",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("typing_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_presence_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_presence_user_id_users")
        ),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_presence")),
    )
    with op.batch_alter_table("case_presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_presence_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_presence_seen_at"))
    op.drop_table("case_presence")
