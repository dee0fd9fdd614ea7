"""Owners (pelaku usaha), their businesses (usaha) and the NIB help queue (bantuan NIB).

Personal fields are nullable: erasing an owner's data (UU PDP) nulls them and keeps only the anonymous
statistics of the business (region, sector, size class, year started, workers, status, registered_at).
The NIK is never stored in clear: `nik_ciphertext` (AES-GCM) and `nik_index` (keyed hash, UNIQUE, so one
registration per NIK holds on every engine and under concurrency).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class BusinessStatus(StrEnum):
    """Is the business still running? Set at registration, by a data-update round
    (pembaruan data) or by an officer."""

    ACTIVE = "active"
    INACTIVE = "inactive"  # tidak aktif: the owner said it stopped (data-update round), or an officer
    CLOSED = "closed"  # tutup: an officer marked it closed for good
    UNKNOWN = "unknown"  # belum diketahui: no answer in the last data-update round


class OwnerSource(StrEnum):
    """Where a registration came from."""

    CHAT = "chat"  # the owner registered by chat
    IMPORT = "import"  # the agency's records (`umkm-bot owners import`), until the owner confirms them


class Owner(Base):
    """A registered business owner (pelaku usaha).

    An imported owner (`source` "import") has no chat user (`user_id` None) and no consent until they
    write from the recorded number and confirm their data by chat (`confirmed_at`).
    """

    __tablename__ = "owners"
    # Registrations per week (the dashboard's Ringkasan): a range count each. Who may confirm an
    # imported record is looked up by the number the platform vouches for, on every message: the
    # index ends with `user_id` so that "unclaimed" (`user_id IS NULL`) is part of that look-up
    # (without statistics SQLite otherwise walked every unclaimed record by the unique `user_id`).
    __table_args__ = (
        Index("ix_owners_registered_at", "registered_at"),
        Index("ix_owners_phone", "phone", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True, default=None
    )
    full_name: Mapped[str | None] = mapped_column(String(100), default=None)
    nik_ciphertext: Mapped[str | None] = mapped_column(String(200), default=None)
    nik_index: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    consent_at: Mapped[datetime | None] = mapped_column(default=None)
    consent_version: Mapped[str | None] = mapped_column(String(20), default=None)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    reg_no: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(10), default=OwnerSource.CHAT, server_default=OwnerSource.CHAT)
    # An imported owner checked their data by chat (pendaftaran dikonfirmasi); also set when a
    # chat-registered owner saves "Ubah data" (they looked at all of it and kept or changed it).
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Someone writing from the recorded number said the imported record is not theirs: the number is
    # wrong, the record is never shown to it again nor invited, and officers see it in lists.
    wrong_number_at: Mapped[datetime | None] = mapped_column(default=None)


class Business(Base):
    """The owner's business (usaha), with its address by Kemendagri code."""

    __tablename__ = "businesses"
    # The dashboard's Ringkasan counts by these four in one scan of this index.
    __table_args__ = (
        Index("ix_businesses_breakdown", "size_class", "sector", "district_code", "status", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str | None] = mapped_column(String(120), default=None)
    sector: Mapped[str | None] = mapped_column(String(40), default=None)
    kbli: Mapped[str | None] = mapped_column(String(5), default=None)
    district_code: Mapped[str | None] = mapped_column(String(13), default=None, index=True)
    village_code: Mapped[str | None] = mapped_column(String(13), default=None)
    street: Mapped[str | None] = mapped_column(String(200), default=None)
    year_started: Mapped[int | None] = mapped_column(default=None)
    workers: Mapped[int | None] = mapped_column(default=None)
    annual_sales: Mapped[int | None] = mapped_column(BigInteger, default=None)
    capital: Mapped[int | None] = mapped_column(BigInteger, default=None)
    size_class: Mapped[str | None] = mapped_column(String(10), default=None)
    nib: Mapped[str | None] = mapped_column(String(13), default=None)
    # An NIB typed by the owner is unverified until an officer checks it in OSS.
    nib_verified: Mapped[bool] = mapped_column(default=False)
    status: Mapped[BusinessStatus] = mapped_column(
        Enum(
            BusinessStatus,
            native_enum=False,
            length=10,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        default=BusinessStatus.ACTIVE,
    )


class NibHelpRequest(Base):
    """An owner without an NIB asked for help; an officer follows up (antrean bantuan NIB)."""

    __tablename__ = "nib_help_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by: Mapped[str | None] = mapped_column(String(64), default=None)
