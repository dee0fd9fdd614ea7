"""Trainings (pelatihan) and their enrolments.

Revision ID: 0008_trainings
Revises: 0002_registration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0008_trainings"
down_revision = "0002_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("signup_deadline", UTCDateTime(), nullable=True),
        sa.Column("venue", sa.String(200), nullable=True),
        sa.Column("district_code", sa.String(13), nullable=True),
        sa.Column("online_url", sa.String(500), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("open_to_public", sa.Boolean(), nullable=False),
        sa.Column("target_sectors", sa.JSON(), nullable=False),
        sa.Column("target_size_classes", sa.JSON(), nullable=False),
        sa.Column("target_districts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("cancel_reason", sa.String(300), nullable=True),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("announced_at", UTCDateTime(), nullable=True),
        sa.Column("targeted", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainings")),
        # The seat counter never passes the capacity, whatever a statement does.
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name=op.f("ck_trainings_seats")),
    )
    op.create_table(
        "training_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("district_code", sa.String(13), nullable=True),
        sa.Column("size_class", sa.String(10), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("ended", sa.String(12), nullable=True),
        sa.Column("queue_no", sa.Integer(), nullable=False),
        sa.Column("signed_up_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("offer_expires_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("attended_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.String(64), nullable=True),
        sa.Column("checkin_failures", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(500), nullable=True),
        sa.Column("rated_at", UTCDateTime(), nullable=True),
        sa.Column("certificate_no", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["trainings.id"],
            name=op.f("fk_training_enrolments_training_id_trainings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_enrolments_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_training_enrolments_owner_id_owners"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_enrolments")),
        sa.UniqueConstraint(
            "training_id", "user_id", name=op.f("uq_training_enrolments_training_id_user_id")
        ),
        sa.UniqueConstraint("training_id", "phone", name=op.f("uq_training_enrolments_training_id_phone")),
    )
    op.create_index(op.f("ix_training_enrolments_user_id"), "training_enrolments", ["user_id"])
    op.create_index(
        "ix_training_enrolments_queue", "training_enrolments", ["training_id", "status", "queue_no"]
    )
    op.create_index("ix_training_enrolments_offers", "training_enrolments", ["status", "offer_expires_at"])


def downgrade() -> None:
    op.drop_index("ix_training_enrolments_offers", table_name="training_enrolments")
    op.drop_index("ix_training_enrolments_queue", table_name="training_enrolments")
    op.drop_index(op.f("ix_training_enrolments_user_id"), table_name="training_enrolments")
    op.drop_table("training_enrolments")
    op.drop_table("trainings")
