"""Courier partners, the chat users who redeem for them, and refused attempts (for the guessing limit).

Link codes are stored as keyed hashes (the code is shown once, to the officer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.vouchers import Courier, CourierLink, CourierStaff, RedeemAttempt


class CourierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_name(self, name: str, *, include_removed: bool = False) -> Courier | None:
        """The courier partner of that name (any case), removed ones left out unless asked."""
        query = select(Courier).where(func.lower(Courier.name) == name.strip().lower())
        if not include_removed:
            query = query.where(Courier.removed_at.is_(None))
        return await self.session.scalar(query)

    async def all(self) -> list[Courier]:
        """Every courier partner, removed ones too (old programs name them), by name."""
        return list((await self.session.execute(select(Courier).order_by(Courier.name))).scalars())

    async def get(self, courier_id: int) -> Courier | None:
        return await self.session.get(Courier, courier_id)

    async def add(self, name: str, now: datetime) -> Courier:
        courier = Courier(name=name.strip(), created_at=now)
        self.session.add(courier)
        await self.session.flush()
        return courier

    async def active(self) -> list[tuple[Courier, int]]:
        """Couriers not removed, with how many redeemers each has."""
        staff = (
            select(func.count())
            .where(CourierStaff.courier_id == Courier.id, CourierStaff.revoked_at.is_(None))
            .correlate(Courier)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(Courier, staff).where(Courier.removed_at.is_(None)).order_by(Courier.name)
        )
        return [(c, int(n)) for c, n in rows.all()]

    async def add_link(self, courier_id: int, code_hash: str, now: datetime) -> None:
        self.session.add(CourierLink(courier_id=courier_id, code_hash=code_hash, created_at=now))
        await self.session.flush()

    async def use_link(self, code_hash: str, user_id: int, now: datetime) -> Courier | None:
        """Spend a link code once (conditional UPDATE); the courier it links to, or None."""
        courier_id = await self.session.scalar(
            update(CourierLink)
            .where(CourierLink.code_hash == code_hash, CourierLink.used_at.is_(None))
            .values(used_at=now, used_by=user_id)
            .returning(CourierLink.courier_id)
        )
        if courier_id is None:
            return None
        courier = await self.get(courier_id)
        return courier if courier is not None and courier.removed_at is None else None

    async def link_staff(self, courier_id: int, user_id: int, now: datetime) -> None:
        existing = await self.session.scalar(select(CourierStaff).where(CourierStaff.user_id == user_id))
        if existing is None:
            self.session.add(CourierStaff(courier_id=courier_id, user_id=user_id, linked_at=now))
        else:
            existing.courier_id, existing.linked_at, existing.revoked_at = courier_id, now, None
        await self.session.flush()

    async def staff_courier(self, user_id: int) -> Courier | None:
        """The courier this chat user redeems for, if linked and not revoked."""
        return await self.session.scalar(
            select(Courier)
            .join(CourierStaff, CourierStaff.courier_id == Courier.id)
            .where(
                CourierStaff.user_id == user_id,
                CourierStaff.revoked_at.is_(None),
                Courier.removed_at.is_(None),
            )
        )

    async def remove(self, courier: Courier, now: datetime) -> int:
        """Revoke every redeemer and unused link code of the courier; returns how many redeemers."""
        courier.removed_at = now
        result = await self.session.execute(
            update(CourierStaff)
            .where(CourierStaff.courier_id == courier.id, CourierStaff.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.session.execute(
            update(CourierLink)
            .where(CourierLink.courier_id == courier.id, CourierLink.used_at.is_(None))
            .values(used_at=now)
        )
        await self.session.flush()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def record_attempt(self, courier_id: int | None, actor: str, reason: str, now: datetime) -> None:
        self.session.add(RedeemAttempt(courier_id=courier_id, actor=actor[:64], reason=reason, at=now))
        await self.session.flush()

    async def guesses_since(
        self, courier_id: int, reasons: Sequence[str], since: datetime
    ) -> tuple[int, datetime | None]:
        """How many refused attempts of these reasons the courier made since `since`, and the last one's time."""
        count, last = (
            await self.session.execute(
                select(func.count(), func.max(RedeemAttempt.at)).where(
                    RedeemAttempt.courier_id == courier_id,
                    RedeemAttempt.reason.in_(list(reasons)),
                    RedeemAttempt.at >= since,
                )
            )
        ).one()
        return int(count or 0), last
