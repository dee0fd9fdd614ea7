"""When a voucher program was closed: its unused vouchers that were still valid then ended with
it ("belum dipakai saat program berakhir"); those that had expired before stay expired, however
long ago the program closed. Programs closed before this column have none, and are read with
today's date instead (handlers/vouchers/states.py).

Revision ID: 0015_voucher_program_closed_at
Revises: 0014_foreign_key_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0015_voucher_program_closed_at"
down_revision = "0014_foreign_key_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("voucher_programs") as table:
        table.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("voucher_programs") as table:
        table.drop_column("closed_at")
