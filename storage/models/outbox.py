"""The outbox: every message the bot sends that is not a direct reply, one row per recipient.

A row's `next_attempt_at` is when a sweep may claim it: the due time, a retry
time, the end of quiet hours, or (while `leased`) the end of its lease, so that
"what is claimable now" is one range scan of `ix_outbox_ready`, in the order claims take
(due time, then id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# PostgreSQL's "C" collation compares text byte by byte, as SQLite's default (BINARY) does.
BYTEWISE = String(200, collation="C")

PENDING, LEASED, SENT, FAILED, UNREACHABLE, CANCELLED = (
    "pending",
    "leased",
    "sent",
    "failed",
    "unreachable",
    "cancelled",
)
STATUSES = (PENDING, LEASED, SENT, FAILED, UNREACHABLE, CANCELLED)
OPEN_STATUSES = (PENDING, LEASED)


class Broadcast(Base):
    """An announcement an officer sent to an audience (pengumuman)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    # A message template name, or None with `text` for a plain-text announcement.
    template: Mapped[str | None] = mapped_column(String(120), default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Recipients per channel when queued: {"telegram": 1200, "whatsapp": 9800}.
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int] = mapped_column(default=0)


class OutboxMessage(Base):
    """One message to one recipient on one channel."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_ready", "channel", "status", "next_attempt_at", "id"),
        Index("ix_outbox_broadcast", "broadcast_id", "status"),
        Index("ix_outbox_recipient", "channel", "external_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None, index=True
    )
    # announcement | reminder | notice: announcements and reminders wait out quiet hours.
    kind: Mapped[str] = mapped_column(String(24))
    # Planning the same message twice never sends twice: "update-round:3:user:42:h-7". Rows are
    # also found by a prefix of it (a round's, one owner's in it), a range of the unique index:
    # compared byte by byte, also on PostgreSQL, where a linguistic collation would not keep a
    # prefix's keys together (`keyed` in storage.repositories.outbox).
    dedupe_key: Mapped[str] = mapped_column(String(200).with_variant(BYTEWISE, "postgresql"), unique=True)
    # The Reply as template + JSON-safe values, rendered at send time in the recipient's locale.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    provider_message_id: Mapped[str | None] = mapped_column(String(128), default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class OutboxSender(Base):
    """Which process sends for a channel (a lease row), and whether the channel is paused."""

    __tablename__ = "outbox_senders"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    paused_until: Mapped[datetime | None] = mapped_column(default=None)
    pause_reason: Mapped[str | None] = mapped_column(String(200), default=None)


class UnreachableRecipient(Base):
    """A channel identity the bot cannot reach (blocked the bot, number unable to receive).

    It becomes reachable again when the user writes to the bot after `at`.
    """

    __tablename__ = "unreachable_recipients"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
