"""reply templates as data, seeded with the six that used to be fixed in code

Revision ID: 0011_reply_templates
Revises: 0010_sign_in_guard
Create Date: 2026-12-02 16:10:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011_reply_templates"
down_revision = "0010_sign_in_guard"
branch_labels = None
depends_on = None

# The templates as they shipped; a copy, so later edits of the code do not change history.
SEED = {
    "Move to DM": (
        "Hi @{handle}, we're sorry about this and want to help. Please send us a DM with your "
        "order number so we can look into it. Never share your password or card details."
    ),
    "Looking into it": (
        "Thanks for your patience, @{handle}. We're checking this with the right team now and "
        "will update you here shortly."
    ),
    "Refund issued": (
        "Hi {name}, we've issued your refund. It can take 3-5 business days to show on your "
        "statement. Is there anything else we can help with?"
    ),
    "Replacement sent": (
        "Hi {name}, we're sorry your parcel didn't arrive. We've sent a replacement at no cost; "
        "you'll get tracking details by e-mail."
    ),
    "Callback booked": (
        "Hi {name}, a specialist will call you in the next few minutes from our official "
        "number. We will never ask for your password or full card number."
    ),
    "Security first": (
        "@{handle} please don't share personal details here. If someone asked for your "
        "password or gift cards, it wasn't us. DM us and we'll secure your account."
    ),
}


def upgrade() -> None:
    table = op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_reply_templates_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_reply_templates_name")),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # stored naive there, as UTCDateTime does
        now = now.replace(tzinfo=None)
    op.bulk_insert(
        table,
        [
            {"name": name, "body": body, "active": True, "updated_by": None, "updated_at": now}
            for name, body in SEED.items()
        ],
    )


def downgrade() -> None:
    op.drop_table("reply_templates")
