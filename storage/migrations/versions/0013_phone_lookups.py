"""Every message asks whether someone else holds the writer's number: an imported record waiting
to be confirmed, or another channel's user to link with (`USER_FACTS`, the message's first
statement). Both are now index look-ups by number.

- `channel_identities.phone` had no index: every message of a user with a known number (every
  WhatsApp user) scanned all identities.
- `ix_owners_phone` now ends with `user_id`: without table statistics SQLite preferred the unique
  index on `user_id` for `user_id IS NULL` and walked every imported record no one had claimed yet.

So on SQLite every message read every identity and every unclaimed import; now it reads a few
index entries. With 20,000 of each (README, Benchmarks: the burst with `--owners 20000`), a
Telegram message took 4.80 ms of CPU before and 0.97 ms after.

Revision ID: 0013_phone_lookups
Revises: 0009_import
"""

from __future__ import annotations

from alembic import op

revision = "0013_phone_lookups"
down_revision = "0009_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_owners_phone", table_name="owners")
    op.create_index("ix_owners_phone", "owners", ["phone", "user_id"])
    op.create_index("ix_channel_identities_phone", "channel_identities", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_channel_identities_phone", table_name="channel_identities")
    op.drop_index("ix_owners_phone", table_name="owners")
    op.create_index("ix_owners_phone", "owners", ["phone"])
