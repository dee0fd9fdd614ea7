"""Data-update rounds (pembaruan data) and their answers.

Revision ID: 0005_update_rounds
Revises: 0002_registration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0005_update_rounds"
down_revision = "0002_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_rounds")),
    )
    op.create_table(
        "update_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("district_code", sa.String(13), nullable=True),
        sa.Column("size_class", sa.String(10), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["update_rounds.id"],
            name=op.f("fk_update_answers_round_id_update_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owners.id"], name=op.f("fk_update_answers_owner_id_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_answers")),
        sa.UniqueConstraint("round_id", "owner_id", name=op.f("uq_update_answers_round_id_owner_id")),
    )
    op.create_index(op.f("ix_update_answers_owner_id"), "update_answers", ["owner_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_update_answers_owner_id"), table_name="update_answers")
    op.drop_table("update_answers")
    op.drop_table("update_rounds")
