"""What the platforms handed us and what we sent them.

`InboundMessage` is the inbound dedupe and crash-safety store: a row per delivered
platform message (WhatsApp wamid, Telegram update_id), written before the delivery
is acknowledged and marked processed once the conversation has answered it.
`OutboundMessage` records each message we sent, so delivery statuses (WhatsApp
sent / delivered / read / failed) can be stored against it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_message_id"),
        Index("ix_inbound_messages_pending", "processed_at", "id"),
        # A user's pending deliveries, to handle them in id order (bot/channels/inbound.py).
        Index(
            "ix_inbound_messages_user_pending",
            "channel",
            "external_user_id",
            "id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_message_id: Mapped[str] = mapped_column(String(128))
    external_user_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (UniqueConstraint("channel", "provider_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_message_id: Mapped[str] = mapped_column(String(128))
    external_user_id: Mapped[str] = mapped_column(String(64))
    # sent, delivered, read, failed
    status: Mapped[str] = mapped_column(String(16), default="sent")
    error_code: Mapped[int | None] = mapped_column(default=None)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
