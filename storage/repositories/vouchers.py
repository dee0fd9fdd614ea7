"""Voucher programs, vouchers and their redemption (gratis ongkir).

The two limits that must hold under any concurrency are single statements: the quota
is taken by `UPDATE … SET issued = issued + 1 WHERE issued < quota` (PostgreSQL re-checks
the condition on the row it waited for), and a redemption is `UPDATE … WHERE redeemed_at
IS NULL …`: whoever's statement runs second finds nothing to update. The per-owner limit
counts under a lock on the owner's row (SQLite has a single writer).

What officers count and report of them is storage/repositories/voucher_reports.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.registration import Business, Owner
from storage.models.vouchers import (
    ProgramStatus,
    Voucher,
    VoucherProgram,
    VoucherWaiter,
)
from storage.repositories.audience import Audience, AudienceFilter, audience
from storage.repositories.voucher_reports import VoucherReports


@dataclass(frozen=True, slots=True)
class Redemption:
    """What redeeming asked for; the conditional UPDATE checks all of it at once."""

    code: str
    resi: str
    ongkir: int
    actor: str
    courier_id: int | None  # None: the program's own courier (the CLI without --courier)
    allow_over_max: bool = False


@dataclass(frozen=True, slots=True)
class VoucherView:
    """A voucher with its program, and the owner's business where the owner is known."""

    voucher: Voucher
    program: VoucherProgram
    business: Business | None
    owner: Owner | None


class VoucherRepository(VoucherReports):
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    # Programs ------------------------------------------------------------

    async def add_program(self, program: VoucherProgram) -> VoucherProgram:
        self.session.add(program)
        await self.session.flush()
        return program

    async def program(self, program_id: int) -> VoucherProgram | None:
        return await self.session.get(VoucherProgram, program_id)

    async def programs(self, statuses: Sequence[ProgramStatus] | None = None) -> list[VoucherProgram]:
        query = select(VoucherProgram).order_by(VoucherProgram.id)
        if statuses is not None:
            query = query.where(VoucherProgram.status.in_(list(statuses)))
        return list((await self.session.execute(query)).scalars())

    async def reload(self, program: VoucherProgram) -> None:
        """Read the program's row again (another transaction may have paused or closed it)."""
        await self.session.refresh(program)

    async def take_quota(self, program_id: int) -> bool:
        """One voucher of the program's quota, if the program is open and any is left."""
        result = await self.session.execute(
            update(VoucherProgram)
            .where(
                VoucherProgram.id == program_id,
                VoucherProgram.status == ProgramStatus.OPEN,
                VoucherProgram.issued < VoucherProgram.quota,
            )
            .values(issued=VoucherProgram.issued + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # Vouchers ------------------------------------------------------------

    async def lock_owner(self, owner_id: int) -> None:
        """Serialise one owner's requests (PostgreSQL row lock; SQLite has one writer)."""
        if not self.sqlite:
            await self.session.execute(select(Owner.id).where(Owner.id == owner_id).with_for_update())

    async def count_for_owner(self, program_id: int, owner_id: int, period_key: str) -> int:
        """The owner's vouchers of this program in this period; voided ones do not count."""
        return int(
            await self.session.scalar(
                select(func.count()).where(
                    Voucher.program_id == program_id,
                    Voucher.owner_id == owner_id,
                    Voucher.period_key == period_key,
                    Voucher.voided_at.is_(None),
                )
            )
            or 0
        )

    async def add_voucher(self, voucher: Voucher) -> bool:
        """Insert in a savepoint; False when the code is taken already (draw another)."""
        statement = (
            (sqlite_insert if self.sqlite else pg_insert)(Voucher)
            .values(
                program_id=voucher.program_id,
                code=voucher.code,
                owner_id=voucher.owner_id,
                period_key=voucher.period_key,
                district_code=voucher.district_code,
                size_class=voucher.size_class,
                issued_at=voucher.issued_at,
                expires_at=voucher.expires_at,
            )
            .on_conflict_do_nothing(index_elements=[Voucher.code])
            .returning(Voucher.id)
        )
        new_id = await self.session.scalar(statement)
        if new_id is None:
            return False
        voucher.id = new_id
        return True

    async def view(self, code: str) -> VoucherView | None:
        row = (
            await self.session.execute(
                select(Voucher, VoucherProgram, Business, Owner)
                .join(VoucherProgram, VoucherProgram.id == Voucher.program_id)
                .outerjoin(Owner, Owner.id == Voucher.owner_id)
                .outerjoin(Business, Business.owner_id == Owner.id)
                .where(Voucher.code == code)
                .execution_options(populate_existing=True)
            )
        ).first()
        return VoucherView(row[0], row[1], row[2], row[3]) if row is not None else None

    async def of_owner(self, owner_id: int) -> list[tuple[Voucher, VoucherProgram]]:
        rows = await self.session.execute(
            select(Voucher, VoucherProgram)
            .join(VoucherProgram, VoucherProgram.id == Voucher.program_id)
            .where(Voucher.owner_id == owner_id)
            .order_by(Voucher.issued_at.desc(), Voucher.id.desc())
        )
        return [(v, p) for v, p in rows.all()]

    async def redeem(self, redemption: Redemption, now: datetime) -> int | None:
        """Redeem once: one conditional UPDATE. Returns the voucher's id, or None when any
        condition failed (the caller looks at the voucher to say which)."""
        program = (
            select(VoucherProgram.id)
            .where(
                VoucherProgram.id == Voucher.program_id,
                VoucherProgram.status != ProgramStatus.CLOSED,
            )
            .correlate(Voucher)
        )
        max_ongkir = (
            select(VoucherProgram.max_ongkir)
            .where(VoucherProgram.id == Voucher.program_id)
            .correlate(Voucher)
            .scalar_subquery()
        )
        courier = (
            select(VoucherProgram.courier_id)
            .where(VoucherProgram.id == Voucher.program_id)
            .correlate(Voucher)
            .scalar_subquery()
        )
        conditions = [
            Voucher.code == redemption.code,
            Voucher.redeemed_at.is_(None),
            Voucher.voided_at.is_(None),
            Voucher.expires_at > now,
            program.exists(),
        ]
        if not redemption.allow_over_max:
            conditions.append(max_ongkir >= redemption.ongkir)
        if redemption.courier_id is not None:
            conditions.append(courier == redemption.courier_id)
        ongkir = literal(redemption.ongkir)
        result = await self.session.execute(
            update(Voucher)
            .where(*conditions)
            .values(
                redeemed_at=now,
                redeemed_by=redemption.actor[:64],
                courier_id=courier,
                resi=redemption.resi[:40],
                ongkir=redemption.ongkir,
                paid=case((ongkir > max_ongkir, max_ongkir), else_=ongkir),
            )
            .returning(Voucher.id)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def void_issued(self, program_id: int, reason: str, now: datetime) -> int:
        result = await self.session.execute(
            update(Voucher)
            .where(
                Voucher.program_id == program_id, Voucher.redeemed_at.is_(None), Voucher.voided_at.is_(None)
            )
            .values(voided_at=now, void_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # Waiting while paused -------------------------------------------------

    async def add_waiter(self, program_id: int, user_id: int, now: datetime) -> None:
        insert_ = sqlite_insert if self.sqlite else pg_insert
        await self.session.execute(
            insert_(VoucherWaiter)
            .values(program_id=program_id, user_id=user_id, asked_at=now)
            .on_conflict_do_update(
                index_elements=[VoucherWaiter.program_id, VoucherWaiter.user_id],
                set_={"asked_at": now, "notified_at": None},
            )
        )

    def waiting_audience(self, program_id: int) -> Audience:
        """Owners who asked while the program was paused and were not told it resumed."""
        waiting = select(VoucherWaiter.user_id).where(
            VoucherWaiter.program_id == program_id, VoucherWaiter.notified_at.is_(None)
        )
        return audience(AudienceFilter()).where(Owner.user_id.in_(waiting))

    async def waiters_notified(self, program_id: int, now: datetime) -> None:
        await self.session.execute(
            update(VoucherWaiter)
            .where(VoucherWaiter.program_id == program_id, VoucherWaiter.notified_at.is_(None))
            .values(notified_at=now)
        )

    # Told when a program ends -------------------------------------------

    def unused_holders(self, program_id: int, now: datetime) -> Audience:
        """Owners holding a voucher of the program they could still use at `now`: not redeemed,
        not voided, not past its last day (each owner once, however many they hold)."""
        held = select(Voucher.owner_id).where(
            Voucher.program_id == program_id,
            Voucher.redeemed_at.is_(None),
            Voucher.voided_at.is_(None),
            Voucher.expires_at > now,
        )
        return audience(AudienceFilter()).where(Owner.id.in_(held))

    def voided_holders(self, program_id: int, voided_at: datetime) -> Audience:
        """Owners whose vouchers of the program were voided at `voided_at` (by one pause) while
        they could still have used them: not past their last day."""
        held = select(Voucher.owner_id).where(
            Voucher.program_id == program_id,
            Voucher.voided_at == voided_at,
            Voucher.expires_at > voided_at,
        )
        return audience(AudienceFilter()).where(Owner.id.in_(held))

    # Reminders, report, erasure -------------------------------------------

    async def unredeemed_ids(self, program_id: int, expiring_before: datetime) -> list[int]:
        """Ids of the program's vouchers not redeemed that expire before `expiring_before`."""
        rows = await self.session.execute(
            select(Voucher.id).where(
                Voucher.program_id == program_id,
                Voucher.redeemed_at.is_(None),
                Voucher.expires_at < expiring_before,
            )
        )
        return list(rows.scalars())

    async def expiring(self, since: datetime, until: datetime) -> list[tuple[str, str, int, Voucher]]:
        """(channel, external_id, user_id, voucher) of unused vouchers expiring in [since, until),
        on the owner's last-used channel."""
        members = audience(AudienceFilter()).add_columns(Owner.id.label("owner_id")).subquery()
        rows = await self.session.execute(
            select(members.c.channel, members.c.external_id, members.c.user_id, Voucher)
            .join(Voucher, Voucher.owner_id == members.c.owner_id)
            .join(VoucherProgram, VoucherProgram.id == Voucher.program_id)
            .where(
                Voucher.redeemed_at.is_(None),
                Voucher.voided_at.is_(None),
                Voucher.expires_at >= since,
                Voucher.expires_at < until,
                VoucherProgram.status != ProgramStatus.CLOSED,
            )
            .order_by(Voucher.id)
            # A program closing meanwhile (its row updated, not committed yet) is waited for and
            # then read closed; one closing after this waits for the reminders to be queued, then
            # drops them (`drop_reminders`). SQLite's one writer orders the two already.
            .with_for_update(read=True, of=VoucherProgram)
        )
        return [(c, e, u, v) for c, e, u, v in rows.all()]

    async def erase_owner(self, owner_id: int, user_id: int) -> None:
        """Hapus data: vouchers keep their anonymous facts, lose the owner; no waiting list entry."""
        await self.session.execute(
            update(Voucher)
            .where(Voucher.owner_id == owner_id)
            .values(owner_id=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(delete(VoucherWaiter).where(VoucherWaiter.user_id == user_id))
