"""Free-shipping vouchers (gratis ongkir): couriers and their redeemers, programs, vouchers.

Revision ID: 0007_vouchers
Revises: 0002_registration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0007_vouchers"
down_revision = "0002_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "couriers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_couriers")),
        sa.UniqueConstraint("name", name=op.f("uq_couriers_name")),
    )
    op.create_table(
        "courier_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("courier_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["courier_id"],
            ["couriers.id"],
            name=op.f("fk_courier_links_courier_id_couriers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["users.id"], name=op.f("fk_courier_links_used_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_links")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_courier_links_code_hash")),
    )
    op.create_table(
        "courier_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("courier_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["courier_id"],
            ["couriers.id"],
            name=op.f("fk_courier_staff_courier_id_couriers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_courier_staff_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_staff")),
        sa.UniqueConstraint("user_id", name=op.f("uq_courier_staff_user_id")),
    )
    op.create_index(op.f("ix_courier_staff_courier_id"), "courier_staff", ["courier_id"], unique=False)
    op.create_table(
        "voucher_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("courier_id", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("per_owner", sa.Integer(), nullable=False),
        sa.Column(
            "period",
            sa.Enum("month", "week", "program", name="period", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("max_ongkir", sa.BigInteger(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("size_classes", sa.JSON(), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("requires_current_data", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "paused", "closed", name="programstatus", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["couriers.id"], name=op.f("fk_voucher_programs_courier_id_couriers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_programs")),
    )
    op.create_table(
        "voucher_redeem_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("courier_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["courier_id"],
            ["couriers.id"],
            name=op.f("fk_voucher_redeem_attempts_courier_id_couriers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_redeem_attempts")),
    )
    op.create_index(
        "ix_voucher_redeem_attempts_courier_at", "voucher_redeem_attempts", ["courier_id", "at"], unique=False
    )
    op.create_table(
        "voucher_waiters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["voucher_programs.id"],
            name=op.f("fk_voucher_waiters_program_id_voucher_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voucher_waiters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_waiters")),
        sa.UniqueConstraint("program_id", "user_id", name=op.f("uq_voucher_waiters_program_id_user_id")),
    )
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("district_code", sa.String(length=13), nullable=True),
        sa.Column("size_class", sa.String(length=10), nullable=True),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("redeemed_by", sa.String(length=64), nullable=True),
        sa.Column("courier_id", sa.Integer(), nullable=True),
        sa.Column("resi", sa.String(length=40), nullable=True),
        sa.Column("ongkir", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("voided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["couriers.id"], name=op.f("fk_vouchers_courier_id_couriers")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owners.id"], name=op.f("fk_vouchers_owner_id_owners"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["voucher_programs.id"], name=op.f("fk_vouchers_program_id_voucher_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("code", name=op.f("uq_vouchers_code")),
    )
    op.create_index("ix_vouchers_expires_at", "vouchers", ["expires_at"], unique=False)
    op.create_index(
        "ix_vouchers_owner_period", "vouchers", ["program_id", "owner_id", "period_key"], unique=False
    )
    op.create_index("ix_vouchers_redeemed_at", "vouchers", ["redeemed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_vouchers_redeemed_at", table_name="vouchers")
    op.drop_index("ix_vouchers_owner_period", table_name="vouchers")
    op.drop_index("ix_vouchers_expires_at", table_name="vouchers")
    op.drop_table("vouchers")
    op.drop_table("voucher_waiters")
    op.drop_index("ix_voucher_redeem_attempts_courier_at", table_name="voucher_redeem_attempts")
    op.drop_table("voucher_redeem_attempts")
    op.drop_table("voucher_programs")
    op.drop_index(op.f("ix_courier_staff_courier_id"), table_name="courier_staff")
    op.drop_table("courier_staff")
    op.drop_table("courier_links")
    op.drop_table("couriers")
