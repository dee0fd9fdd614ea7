"""Users, their channel identities, conversation state, counters and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class User(Base):
    """A person talking to the bot, on one or more channels."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    # berhenti/stop: no announcements or reminders; replies still work.
    opted_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelIdentity(Base):
    """How one user is known on one platform (Telegram user id, WhatsApp wa_id, console name)."""

    __tablename__ = "channel_identities"
    # The number is looked up on every message (is another channel's user on it? `USER_FACTS`).
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_channel_identities_phone", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    # The user's own number as the platform vouches for it (shared contact, WhatsApp sender).
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)
    # The owner said no to linking this identity with another channel's user of the same number.
    link_declined: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationState(Base):
    """Where a user is in a conversation: the active flow, its step and its answers so far."""

    __tablename__ = "conversation_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(40), default=None)
    step: Mapped[str | None] = mapped_column(String(60), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Counter(Base):
    """Named sequences (registration numbers per year), advanced by one atomic statement."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditEntry(Base):
    """Who did what to whose data, and when. Never holds the values of personal fields."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject"),
        # The dashboard's audit page: newest first, by actor or by action.
        Index("ix_audit_log_actor", "actor", "id"),
        Index("ix_audit_log_action", "action", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
