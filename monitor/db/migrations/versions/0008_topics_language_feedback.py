"""scores: language, topics and topic probabilities; model_feedback for agents' corrections

Revision ID: 0008_topics_feedback
Revises: 0007_source_budget_backlog
Create Date: 2026-12-02 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_topics_feedback"
down_revision = "0007_source_budget_backlog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch_op.add_column(
            sa.Column("topics", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("topic_scores", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_scores_language"), ["language"], unique=False)

    op.create_table(
        "model_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("model_intent", sa.String(length=40), nullable=False),
        sa.Column("model_urgency", sa.Float(), nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=True),
        sa.Column("urgency_direction", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_model_feedback_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_model_feedback_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_model_feedback_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_feedback")),
    )
    with op.batch_alter_table("model_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_feedback_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_model_feedback_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_feedback_post_id"))
        batch_op.drop_index(batch_op.f("ix_model_feedback_case_id"))
    op.drop_table("model_feedback")
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scores_language"))
        batch_op.drop_column("topic_scores")
        batch_op.drop_column("topics")
        batch_op.drop_column("language")
