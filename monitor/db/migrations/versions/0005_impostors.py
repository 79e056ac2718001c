"""impostors: third-party replies, their impostor checks, reported accounts, reply scans

Revision ID: 0005_impostors
Revises: 0003_dashboard, 0004_alerts
Create Date: 2026-12-02 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_impostors"
down_revision = ("0003_dashboard", "0004_alerts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("third_party", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "impostor_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("lures", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_impostor_checks_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impostor_checks")),
        sa.UniqueConstraint("post_id", name=op.f("uq_impostor_checks_post_id")),
    )
    with op.batch_alter_table("impostor_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_impostor_checks_flagged"), ["flagged"], unique=False)

    op.create_table(
        "impostor_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["authors.id"], name=op.f("fk_impostor_reports_author_id_authors")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_impostor_reports_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["users.id"], name=op.f("fk_impostor_reports_reported_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impostor_reports")),
        sa.UniqueConstraint("author_id", name=op.f("uq_impostor_reports_author_id")),
    )

    op.create_table(
        "reply_scans",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("replies_found", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_reply_scans_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_reply_scans")),
    )
    with op.batch_alter_table("reply_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_scans_scanned_at"), ["scanned_at"], unique=False)


def downgrade() -> None:
    op.drop_table("reply_scans")
    op.drop_table("impostor_reports")
    op.drop_table("impostor_checks")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("third_party")
