"""Free-shipping vouchers (gratis ongkir): courier partners, programs, vouchers, redemptions.

A voucher keeps the anonymous facts the agency reports on (program, kecamatan, size
class, when issued and redeemed, the amounts) after its owner erases their data: only
`owner_id` is nulled. Redemption is one conditional UPDATE (`redeemed_at IS NULL`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


def _enum(kind: type[StrEnum], length: int) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ProgramStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"  # no new vouchers; issued ones stay valid unless voided
    CLOSED = "closed"  # over: no new vouchers, none redeemed any more


class Period(StrEnum):
    """What the per-owner limit counts over."""

    MONTH = "month"
    WEEK = "week"
    PROGRAM = "program"


class Courier(Base):
    """A courier partner (mitra ekspedisi) whose counters redeem vouchers."""

    __tablename__ = "couriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)


class CourierLink(Base):
    """A one-time code (kept as a keyed hash) that makes a chat user a courier's redeemer."""

    __tablename__ = "courier_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    used_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )


class CourierStaff(Base):
    """A chat user who redeems vouchers for a courier (petugas loket ekspedisi)."""

    __tablename__ = "courier_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class RedeemAttempt(Base):
    """A refused redemption (unknown code, already used, ...), for the guessing limit and the log."""

    __tablename__ = "voucher_redeem_attempts"
    __table_args__ = (Index("ix_voucher_redeem_attempts_courier_at", "courier_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_id: Mapped[int | None] = mapped_column(
        ForeignKey("couriers.id", ondelete="CASCADE"), default=None
    )
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class VoucherProgram(Base):
    """A free-shipping program run with one courier partner."""

    __tablename__ = "voucher_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"), index=True)
    quota: Mapped[int]
    # Taken in the same UPDATE that checks `issued < quota`: exact under any concurrency.
    issued: Mapped[int] = mapped_column(default=0)
    per_owner: Mapped[int] = mapped_column(default=1)
    period: Mapped[Period] = mapped_column(_enum(Period, 8), default=Period.MONTH)
    max_ongkir: Mapped[int] = mapped_column(BigInteger)
    valid_days: Mapped[int] = mapped_column(default=30)
    # Eligibility: empty lists mean every size class / every kecamatan.
    size_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_current_data: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ProgramStatus] = mapped_column(_enum(ProgramStatus, 8), default=ProgramStatus.OPEN)
    pause_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # When it closed (None: open or paused, or closed before this was kept).
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class Voucher(Base):
    """One voucher: issued to an owner, redeemed at most once."""

    __tablename__ = "vouchers"
    __table_args__ = (
        Index("ix_vouchers_owner_period", "program_id", "owner_id", "period_key"),
        Index("ix_vouchers_redeemed_at", "redeemed_at"),
        Index("ix_vouchers_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("voucher_programs.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # An owner's vouchers ("Voucher saya") are found by this index.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), default=None, index=True
    )
    # The per-owner limit's period this voucher counts in: 2026-12, 2026-W49, or program.
    period_key: Mapped[str] = mapped_column(String(10))
    district_code: Mapped[str | None] = mapped_column(String(13), default=None)
    size_class: Mapped[str | None] = mapped_column(String(10), default=None)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None] = mapped_column(default=None)
    redeemed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"), default=None, index=True)
    resi: Mapped[str | None] = mapped_column(String(40), default=None)
    ongkir: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # What the agency pays the courier: min(ongkir, the program's max_ongkir).
    paid: Mapped[int | None] = mapped_column(BigInteger, default=None)
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    void_reason: Mapped[str | None] = mapped_column(Text, default=None)


class VoucherWaiter(Base):
    """An owner who asked while the program was paused: told when it resumes."""

    __tablename__ = "voucher_waiters"
    __table_args__ = (UniqueConstraint("program_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("voucher_programs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
