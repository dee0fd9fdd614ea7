"""Issuing a voucher to an owner who asks: eligibility with a reason for every refusal, the
per-owner limit per period, and the program's quota taken in the same statement that issues.

    program open? -> business active? -> size class / kecamatan -> current data (if required)
        -> per-owner limit this period (owner row locked) -> quota (one UPDATE) -> a new code
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from handlers.update_round.current import has_current_data
from handlers.vouchers import codes
from storage.models.registration import Business, BusinessStatus, Owner
from storage.models.vouchers import Period, ProgramStatus, Voucher, VoucherProgram
from storage.repositories import Transaction

# Drawing a code that exists already is a 1 in 10¹³ event; three draws in a row, never.
CODE_DRAWS = 3


class Refusal(StrEnum):
    """Why no voucher was issued; each has its own message with the next step."""

    INACTIVE = "inactive"  # the business is marked inactive or closed
    SIZE_CLASS = "size_class"
    AREA = "area"
    NOT_CURRENT = "not_current"  # data not confirmed in the latest data-update round
    LIMIT = "limit"  # per-owner limit of the period reached
    QUOTA = "quota"  # the program's vouchers are all issued
    PAUSED = "paused"  # with the officer's reason
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Issued:
    voucher: Voucher
    program: VoucherProgram


def period_key(period: Period, now: datetime, zone: ZoneInfo) -> str:
    """The per-owner limit's period that `now` falls in, agency time: 2026-12, 2026-W49, program."""
    local = now.astimezone(zone).date()
    if period is Period.MONTH:
        return f"{local:%Y-%m}"
    if period is Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return "program"


def next_period(period: Period, now: datetime, zone: ZoneInfo) -> date | None:
    """The first day a new voucher is possible after the limit is reached (None: never)."""
    local = now.astimezone(zone).date()
    if period is Period.MONTH:
        return date(local.year + (local.month == 12), local.month % 12 + 1, 1)
    if period is Period.WEEK:
        return local + timedelta(days=7 - local.weekday())
    return None


def expiry(issued_at: datetime, valid_days: int, zone: ZoneInfo) -> datetime:
    """A voucher is valid through the whole `valid_days`-th day after issue, agency time."""
    last_day = issued_at.astimezone(zone).date() + timedelta(days=valid_days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def valid_until(voucher: Voucher, zone: ZoneInfo) -> date:
    """The last day the voucher may be used, agency time."""
    return (voucher.expires_at.astimezone(zone) - timedelta(seconds=1)).date()


async def eligibility(
    tx: Transaction, program: VoucherProgram, owner: Owner, business: Business
) -> Refused | None:
    """The first reason this owner may not have a voucher of this program now (limits aside)."""
    if program.status is ProgramStatus.CLOSED:
        return Refused(Refusal.CLOSED, {"program": program.name})
    if program.status is ProgramStatus.PAUSED:
        return Refused(Refusal.PAUSED, {"program": program.name, "pause_reason": program.pause_reason or ""})
    if business.status in (BusinessStatus.INACTIVE, BusinessStatus.CLOSED):
        return Refused(Refusal.INACTIVE, {"status": str(business.status)})
    if program.size_classes and business.size_class not in program.size_classes:
        return Refused(
            Refusal.SIZE_CLASS, {"size_class": business.size_class or "", "allowed": program.size_classes}
        )
    if program.districts and business.district_code not in program.districts:
        return Refused(Refusal.AREA, {"district": business.district_code or "", "allowed": program.districts})
    if program.requires_current_data and not await has_current_data(tx, owner.id):
        return Refused(Refusal.NOT_CURRENT, {"program": program.name})
    return None


async def request_voucher(
    tx: Transaction,
    program: VoucherProgram,
    owner: Owner,
    business: Business,
    *,
    actor: str,
    now: datetime,
    zone: ZoneInfo,
) -> Issued | Refused:
    """Issue a voucher of `program` to `owner`, or say why not. A request while the program is
    paused puts the owner on the list told when it resumes. Audited."""
    refused = await eligibility(tx, program, owner, business)
    if refused is not None:
        return await _refused(tx, refused, program, owner, now)
    await tx.vouchers.lock_owner(owner.id)
    key = period_key(program.period, now, zone)
    if await tx.vouchers.count_for_owner(program.id, owner.id, key) >= program.per_owner:
        return Refused(
            Refusal.LIMIT, {"per_owner": program.per_owner, "next": next_period(program.period, now, zone)}
        )
    if not await tx.vouchers.take_quota(program.id):
        await tx.vouchers.reload(program)  # paused or closed meanwhile, or the quota is used up
        refused = await eligibility(tx, program, owner, business) or Refused(
            Refusal.QUOTA, {"program": program.name}
        )
        return await _refused(tx, refused, program, owner, now)
    voucher = await _new_voucher(tx, program, owner, business, key=key, now=now, zone=zone)
    await tx.audit.record(
        actor=actor,
        action="voucher.issued",
        subject=f"voucher:{voucher.id}",
        details={"program": program.id, "owner": owner.id},
    )
    return Issued(voucher, program)


async def _refused(
    tx: Transaction, refused: Refused, program: VoucherProgram, owner: Owner, now: datetime
) -> Refused:
    """A request while the program is paused puts the owner on the list told when it resumes."""
    if refused.reason is Refusal.PAUSED and owner.user_id is not None:
        await tx.vouchers.add_waiter(program.id, owner.user_id, now)
    return refused


async def _new_voucher(
    tx: Transaction,
    program: VoucherProgram,
    owner: Owner,
    business: Business,
    *,
    key: str,
    now: datetime,
    zone: ZoneInfo,
) -> Voucher:
    for _ in range(CODE_DRAWS):
        voucher = Voucher(
            program_id=program.id,
            code=codes.new_code(),
            owner_id=owner.id,
            period_key=key,
            district_code=business.district_code,
            size_class=business.size_class,
            issued_at=now,
            expires_at=expiry(now, program.valid_days, zone),
        )
        if await tx.vouchers.add_voucher(voucher):
            return voucher
    raise RuntimeError("no unused voucher code after three draws")
