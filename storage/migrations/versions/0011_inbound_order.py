"""The pending deliveries of one chat, by id: a delivery is handled only once its user's earlier
ones are (several processes on one database; see bot/channels/inbound.py).

Revision ID: 0011_inbound_order
Revises: 0003_channels
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_inbound_order"
down_revision = "0003_channels"
branch_labels = None
depends_on = None

PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_inbound_messages_user_pending",
        "inbound_messages",
        ["channel", "external_user_id", "id"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_messages_user_pending", table_name="inbound_messages")
