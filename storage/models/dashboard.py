"""The officer dashboard: accounts (petugas), their signed-in sessions and the login lockout.

An account's password is stored only as an argon2 hash. A session is found by the SHA-256
of its cookie token (the token itself is never stored). A courier account names its courier
partner as text (`courier_name`) until the vouchers capability's `couriers` table can be
referred to instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

ADMIN, OFFICER, COURIER = "admin", "officer", "courier"
ROLES = (ADMIN, OFFICER, COURIER)


class OfficerAccount(Base):
    """Someone who signs in to the dashboard: an admin, an officer (petugas) or a courier."""

    __tablename__ = "officer_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    # The courier partner a courier account works for (a name, for now).
    courier_name: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class DashboardSession(Base):
    """A signed-in browser: found by the hash of its cookie, ended by logout or 8 idle hours."""

    __tablename__ = "dashboard_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie token
    account_id: Mapped[int] = mapped_column(ForeignKey("officer_accounts.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What a page keeps between requests without putting it in a URL (a search's words).
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class LoginFailures(Base):
    """Failed logins per username (existing or not): five in a row lock it for 15 minutes."""

    __tablename__ = "dashboard_login_failures"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
