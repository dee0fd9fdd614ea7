"""Outbox kinds belong to the capability that sends them: the data-update round's rows
were queued as the generic "announcement" and "reminder"; they become
"update_round.invitation" and "update_round.reminder" (quiet hours and WhatsApp
templates unchanged).

Revision ID: 0006_outbox_kinds
Revises: 0005_update_rounds, 0004_outbox
"""

from __future__ import annotations

from alembic import op

revision = "0006_outbox_kinds"
down_revision = ("0005_update_rounds", "0004_outbox")
branch_labels = None
depends_on = None

RENAMES = (("announcement", "update_round.invitation"), ("reminder", "update_round.reminder"))


def upgrade() -> None:
    for old, new in RENAMES:
        op.execute(
            f"UPDATE outbox SET kind = '{new}' WHERE kind = '{old}' AND dedupe_key LIKE 'update-round:%'"
        )


def downgrade() -> None:
    for old, new in RENAMES:
        op.execute(f"UPDATE outbox SET kind = '{old}' WHERE kind = '{new}'")
