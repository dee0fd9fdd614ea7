"""Trainings (pelatihan) and the people signed up for them (peserta).

A training's seats are a counter taken by conditional UPDATEs (`seats_taken` counts the
confirmed and the seats held for someone offered one, never above `capacity`), and its
sign-ups are numbered in the order they were taken (`tickets`), which is the waiting
list's order. Personal fields of an enrolment are nullable so that Hapus data can null
them and keep the anonymous counts (status, attendance, rating, kecamatan, size class).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

# Training status.
SCHEDULED, CANCELLED = "scheduled", "cancelled"

# Enrolment status: a seat (confirmed), a place in the queue (waiting), a freed seat held for
# someone until `offer_expires_at` (offered), or out (withdrawn: see `ended`).
CONFIRMED, WAITING, OFFERED, WITHDRAWN = "confirmed", "waiting", "offered", "withdrawn"
HOLDS_SEAT = (CONFIRMED, OFFERED)
ACTIVE = (CONFIRMED, WAITING, OFFERED)

# Why an enrolment was withdrawn.
BY_PERSON, DECLINED, LAPSED = "by_person", "declined", "lapsed"


class Training(Base):
    """One training an officer scheduled: when, where (a venue in a kecamatan, or a link), for whom."""

    __tablename__ = "trainings"
    __table_args__ = (CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Sign-ups close then (and at the start at the latest).
    signup_deadline: Mapped[datetime | None] = mapped_column(default=None)
    venue: Mapped[str | None] = mapped_column(String(200), default=None)
    district_code: Mapped[str | None] = mapped_column(String(13), default=None)
    online_url: Mapped[str | None] = mapped_column(String(500), default=None)
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    tickets: Mapped[int] = mapped_column(default=0)
    # Targeting: empty lists select every registered owner; the public may sign up when open.
    open_to_public: Mapped[bool] = mapped_column(default=False)
    target_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_size_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=SCHEDULED)
    cancel_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    # Raised by a change of time or place: reminders planned for the old schedule are replaced.
    schedule_version: Mapped[int] = mapped_column(default=1)
    # Keys the check-in code of the day and the certificates' verification numbers.
    secret: Mapped[str] = mapped_column(String(64))
    # When the announcement was queued, and how many registered owners its targeting matched then.
    announced_at: Mapped[datetime | None] = mapped_column(default=None)
    targeted: Mapped[int | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def targeting(self) -> dict[str, Any]:
        return {
            "sectors": list(self.target_sectors or []),
            "size_classes": list(self.target_size_classes or []),
            "districts": list(self.target_districts or []),
        }


class Enrolment(Base):
    """One person's sign-up for one training (pendaftaran peserta): one per person per training."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        UniqueConstraint("training_id", "user_id"),
        UniqueConstraint("training_id", "phone"),
        Index("ix_training_enrolments_queue", "training_id", "status", "queue_no"),
        Index("ix_training_enrolments_offers", "status", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), default=None, index=True
    )
    full_name: Mapped[str | None] = mapped_column(String(100), default=None)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    # Anonymous, kept after Hapus data: where the person lives or works, and the business's size.
    district_code: Mapped[str | None] = mapped_column(String(13), default=None)
    size_class: Mapped[str | None] = mapped_column(String(10), default=None)
    # Signed up through the public form (not a registered owner then).
    public: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12))
    ended: Mapped[str | None] = mapped_column(String(12), default=None)
    # The sign-up's ticket: the order sign-ups were taken in, and so the waiting list's order.
    queue_no: Mapped[int]
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    offer_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    attended_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_in_by: Mapped[str | None] = mapped_column(String(64), default=None)
    checkin_failures: Mapped[int] = mapped_column(default=0)
    rating: Mapped[int | None] = mapped_column(default=None)
    comment: Mapped[str | None] = mapped_column(String(500), default=None)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)
    certificate_no: Mapped[str | None] = mapped_column(String(40), default=None)
