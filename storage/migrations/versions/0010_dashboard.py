"""The officer dashboard: accounts, sessions and the login lockout; indexes for its pages
(the audit log by actor and action, the overview's counts of owners and businesses).

Revision ID: 0010_dashboard
Revises: 0002_registration (owners and businesses; it revises 0001_core, whose audit log this indexes)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0010_dashboard"
down_revision = "0002_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officer_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("courier_name", sa.String(80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_officer_accounts_username")),
    )
    op.create_table(
        "dashboard_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["officer_accounts.id"],
            name=op.f("fk_dashboard_sessions_account_id_officer_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_sessions")),
    )
    op.create_index(op.f("ix_dashboard_sessions_account_id"), "dashboard_sessions", ["account_id"])
    op.create_table(
        "dashboard_login_failures",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_dashboard_login_failures")),
    )
    # The audit page lists newest first, filtered by actor or action.
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "id"])
    op.create_index("ix_audit_log_action", "audit_log", ["action", "id"])
    op.create_index("ix_owners_registered_at", "owners", ["registered_at"])
    op.create_index(
        "ix_businesses_breakdown",
        "businesses",
        ["size_class", "sector", "district_code", "status", "owner_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_businesses_breakdown", table_name="businesses")
    op.drop_index("ix_owners_registered_at", table_name="owners")
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_table("dashboard_login_failures")
    op.drop_index(op.f("ix_dashboard_sessions_account_id"), table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
    op.drop_table("officer_accounts")
