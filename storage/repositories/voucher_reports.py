"""What officers count and report of vouchers: a program's vouchers by state, a page of them,
what the agency pays in a month, and the redemptions of the courier's reconciliation report.
Read-only; `VoucherRepository` (storage/repositories/vouchers.py) takes it in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.registration import Business
from storage.models.vouchers import ProgramStatus, Voucher, VoucherProgram


@dataclass(frozen=True, slots=True)
class ReportRow:
    code: str
    redeemed_at: datetime
    resi: str
    ongkir: int
    paid: int
    business_name: str | None
    district_code: str | None
    program_name: str
    courier_id: int | None


def voucher_counts(
    issued: int = 0, redeemed: int = 0, voided: int = 0, expired: int = 0, ended: int = 0
) -> dict[str, int]:
    """A program's vouchers counted as handlers/vouchers/states.py tells one voucher's state:
    redeemed, voided, ended (neither, and the program closed: no counter redeems them any more),
    expired (none of those, past the last day); active = issued and none of these."""
    return {
        "issued": issued,
        "redeemed": redeemed,
        "voided": voided,
        "expired": expired,
        "ended": ended,
        "active": issued - redeemed - voided - expired - ended,
    }


class VoucherReports:
    session: AsyncSession

    async def counts(self, program_id: int, now: datetime) -> dict[str, int]:
        """issued, redeemed, voided, expired, ended, active of one program."""
        return (await self.counts_by_program(now, program_id)).get(program_id, voucher_counts())

    async def counts_by_program(
        self, now: datetime, program_id: int | None = None
    ) -> dict[int, dict[str, int]]:
        """`counts` of every program (that has vouchers) in one grouped scan."""
        unused = and_(Voucher.redeemed_at.is_(None), Voucher.voided_at.is_(None))
        closed = VoucherProgram.status == ProgramStatus.CLOSED
        # As `voucher_state`: expired by the close (or now, while open), else ended by the close.
        expired_by = case((closed, func.coalesce(VoucherProgram.closed_at, now)), else_=now)
        expired = Voucher.expires_at <= expired_by
        query = (
            select(
                Voucher.program_id,
                func.count(),
                func.count(Voucher.redeemed_at),
                func.count(Voucher.voided_at),
                func.sum(case((and_(unused, expired), 1), else_=0)),
                func.sum(case((and_(unused, closed, ~expired), 1), else_=0)),
            )
            .join(VoucherProgram, VoucherProgram.id == Voucher.program_id)
            .group_by(Voucher.program_id)
        )
        if program_id is not None:
            query = query.where(Voucher.program_id == program_id)
        rows = await self.session.execute(query)
        return {row[0]: voucher_counts(*(int(v or 0) for v in row[1:])) for row in rows}

    async def page(self, program_id: int, *, redeemed: bool, before: int | None, limit: int) -> list[Voucher]:
        """One program's vouchers, newest first, by keyset (`before` an id): every issued one,
        or only the redeemed ones."""
        query = select(Voucher).where(Voucher.program_id == program_id)
        if redeemed:
            query = query.where(Voucher.redeemed_at.is_not(None))
        if before is not None:
            query = query.where(Voucher.id < before)
        return list((await self.session.execute(query.order_by(Voucher.id.desc()).limit(limit))).scalars())

    async def paid_between(self, start: datetime, end: datetime) -> tuple[int, int]:
        """How many vouchers were redeemed in [start, end), and what the agency pays for them."""
        row = (
            await self.session.execute(
                select(func.count(), func.coalesce(func.sum(Voucher.paid), 0)).where(
                    Voucher.redeemed_at >= start, Voucher.redeemed_at < end
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)

    async def redemptions(
        self, start: datetime, end: datetime, courier_id: int | None = None
    ) -> AsyncIterator[ReportRow]:
        """Redemptions in [start, end), oldest first, streamed."""
        query: Any = (
            select(
                Voucher.code,
                Voucher.redeemed_at,
                Voucher.resi,
                Voucher.ongkir,
                Voucher.paid,
                Business.name,
                Voucher.district_code,
                VoucherProgram.name,
                Voucher.courier_id,
            )
            .join(VoucherProgram, VoucherProgram.id == Voucher.program_id)
            .outerjoin(Business, Business.owner_id == Voucher.owner_id)
            .where(Voucher.redeemed_at >= start, Voucher.redeemed_at < end)
            .order_by(Voucher.redeemed_at, Voucher.id)
            .execution_options(yield_per=1000)
        )
        if courier_id is not None:
            query = query.where(Voucher.courier_id == courier_id)
        result = await self.session.stream(query)
        async for row in result:
            yield ReportRow(*row)
