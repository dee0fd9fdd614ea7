"""Registration: owners, businesses, NIB help requests.

Revision ID: 0002_registration
Revises: 0001_core
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision: str = "0002_registration"
down_revision: str | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(100), nullable=True),
        sa.Column("nik_ciphertext", sa.String(200), nullable=True),
        sa.Column("nik_index", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("consent_at", UTCDateTime(), nullable=True),
        sa.Column("consent_version", sa.String(20), nullable=True),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("reg_no", sa.String(32), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_owners_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owners")),
        sa.UniqueConstraint("user_id", name=op.f("uq_owners_user_id")),
        sa.UniqueConstraint("nik_index", name=op.f("uq_owners_nik_index")),
        sa.UniqueConstraint("reg_no", name=op.f("uq_owners_reg_no")),
    )
    op.create_table(
        "businesses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("sector", sa.String(40), nullable=True),
        sa.Column("kbli", sa.String(5), nullable=True),
        sa.Column("district_code", sa.String(13), nullable=True),
        sa.Column("village_code", sa.String(13), nullable=True),
        sa.Column("street", sa.String(200), nullable=True),
        sa.Column("year_started", sa.Integer(), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("annual_sales", sa.BigInteger(), nullable=True),
        sa.Column("capital", sa.BigInteger(), nullable=True),
        sa.Column("size_class", sa.String(10), nullable=True),
        sa.Column("nib", sa.String(13), nullable=True),
        sa.Column("nib_verified", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owners.id"], name=op.f("fk_businesses_owner_id_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_businesses")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_businesses_owner_id")),
    )
    op.create_index(op.f("ix_businesses_district_code"), "businesses", ["district_code"])
    op.create_table(
        "nib_help_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owners.id"], name=op.f("fk_nib_help_requests_owner_id_owners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nib_help_requests")),
    )
    op.create_index(op.f("ix_nib_help_requests_owner_id"), "nib_help_requests", ["owner_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_nib_help_requests_owner_id"), table_name="nib_help_requests")
    op.drop_table("nib_help_requests")
    op.drop_index(op.f("ix_businesses_district_code"), table_name="businesses")
    op.drop_table("businesses")
    op.drop_table("owners")
