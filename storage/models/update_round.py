"""Data-update rounds (pembaruan data): is each registered business still running?"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

ACTIVE, CLOSED, NO_RESPONSE = "active", "closed", "no_response"


class UpdateRound(Base):
    """One round an officer opened, with its deadline (batas waktu)."""

    __tablename__ = "update_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(64))
    deadline: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # Set when the deadline passed and non-responders were marked "tidak merespons".
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class UpdateAnswer(Base):
    """An owner's answer in a round: still running, closed (with a reason), or no response.

    Region and size class are copied at answer time, so the round's report stays as it was.
    """

    __tablename__ = "update_answers"
    __table_args__ = (UniqueConstraint("round_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("update_rounds.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(300), default=None)
    district_code: Mapped[str | None] = mapped_column(String(13), default=None)
    size_class: Mapped[str | None] = mapped_column(String(10), default=None)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
