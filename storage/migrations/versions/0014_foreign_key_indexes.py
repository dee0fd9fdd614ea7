"""Every foreign key has an index that starts with its columns, and the outbox's dedupe keys
compare byte by byte on PostgreSQL too, so that a prefix of them is a range of their index.

Foreign keys: deleting a user (linking one person's two chats merges their users) makes the
database find every row that points at it, and an owner's vouchers are listed by owner; without
an index each read the whole table (the outbox holds every message ever queued).
tests/storage/test_schema.py holds the rule.

Dedupe keys: an owner's answer in a data-update round cancels their open reminders by key prefix
(`update-round:3:user:42:`), as a training's changes and a round's close do theirs. `LIKE 'p%'`
read the whole outbox on both engines; `storage.repositories.outbox.keyed` reads the prefix's
rows from the unique index. SQLite compares text byte by byte already (BINARY); on PostgreSQL
the column takes the "C" collation, as a linguistic one does not keep a prefix's keys together.

Revision ID: 0014_foreign_key_indexes
Revises: 0012_outbox_ready_id, 0007_vouchers, 0008_trainings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_foreign_key_indexes"
down_revision = ("0012_outbox_ready_id", "0007_vouchers", "0008_trainings")
branch_labels = None
depends_on = None

# (table, column): each gets the index "ix_<table>_<column>".
FOREIGN_KEYS = (
    ("outbox", "user_id"),
    ("courier_links", "courier_id"),
    ("courier_links", "used_by"),
    ("voucher_programs", "courier_id"),
    ("vouchers", "owner_id"),
    ("vouchers", "courier_id"),
    ("voucher_waiters", "user_id"),
    ("training_enrolments", "owner_id"),
)


def _dedupe_key(collation: str | None) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "outbox",
            "dedupe_key",
            type_=sa.String(200, collation=collation),
            existing_type=sa.String(200),
            existing_nullable=False,
        )


def upgrade() -> None:
    for table, column in FOREIGN_KEYS:
        op.create_index(f"ix_{table}_{column}", table, [column])
    _dedupe_key("C")


def downgrade() -> None:
    _dedupe_key("default")
    for table, column in FOREIGN_KEYS:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
