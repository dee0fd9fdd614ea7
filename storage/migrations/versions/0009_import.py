"""Imported records (impor data): where a registration came from, when an imported owner
confirmed it by chat, and a number someone said is not theirs; owners found by number.

Revision ID: 0009_import
Revises: 0002_registration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0009_import"
down_revision = "0002_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("owners") as batch:
        batch.add_column(sa.Column("source", sa.String(10), nullable=False, server_default="chat"))
        batch.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("wrong_number_at", UTCDateTime(), nullable=True))
    op.create_index("ix_owners_phone", "owners", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_owners_phone", table_name="owners")
    with op.batch_alter_table("owners") as batch:
        batch.drop_column("wrong_number_at")
        batch.drop_column("confirmed_at")
        batch.drop_column("source")
