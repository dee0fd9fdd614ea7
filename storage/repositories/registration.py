"""Owners, businesses and the NIB help queue.

The NIK goes in and out of this module only as ciphertext and blind index: the `Cipher` is held by the
transaction and used by the handlers' domain code, never here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.registration import Business, NibHelpRequest, Owner

# Asked for every message (the menu differs for registered owners): built once, not per call;
# building a statement costs more CPU than SQLite takes to run it.
_REGISTERED = select(func.count()).where(Owner.user_id == bindparam("user_id"), Owner.deleted_at.is_(None))


class DuplicateOwner(Exception):
    """The NIK (by its blind index) or the chat user is already registered."""


@dataclass(frozen=True, slots=True)
class OwnerFilter:
    """Officer filters: kecamatan code, sector id, size class."""

    district_code: str | None = None
    sector: str | None = None
    size_class: str | None = None


@dataclass(frozen=True, slots=True)
class QueueEntry:
    request: NibHelpRequest
    owner: Owner
    business: Business


class OwnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_user(self, user_id: int) -> tuple[Owner, Business] | None:
        """The user's current (not erased) registration."""
        row = (
            await self.session.execute(
                select(Owner, Business)
                .join(Business, Business.owner_id == Owner.id)
                .where(Owner.user_id == user_id, Owner.deleted_at.is_(None))
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def get(self, owner_id: int) -> Owner | None:
        return await self.session.get(Owner, owner_id)

    async def is_registered(self, user_id: int) -> bool:
        return bool(await self.session.scalar(_REGISTERED, {"user_id": user_id}))

    async def nik_taken(self, nik_index: str, *, except_owner: int | None = None) -> bool:
        query = select(func.count()).where(Owner.nik_index == nik_index)
        if except_owner is not None:
            query = query.where(Owner.id != except_owner)
        return bool(await self.session.scalar(query))

    async def add(self, owner: Owner, business: Business) -> None:
        """Insert both in a savepoint; a UNIQUE violation (NIK, user) becomes `DuplicateOwner`.

        The savepoint keeps the surrounding transaction usable (PostgreSQL aborts a transaction on error).
        """
        try:
            async with self.session.begin_nested():
                self.session.add(owner)
                await self.session.flush()
                business.owner_id = owner.id
                self.session.add(business)
                await self.session.flush()
        except IntegrityError:
            raise DuplicateOwner from None

    async def save(self, owner: Owner) -> None:
        """Flush changes to an owner (and its business) in a savepoint; see `add`."""
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise DuplicateOwner from None

    async def by_reg_no(self, reg_no: str) -> tuple[Owner, Business] | None:
        row = (
            await self.session.execute(
                select(Owner, Business)
                .join(Business, Business.owner_id == Owner.id)
                .where(Owner.reg_no == reg_no)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def erase(self, owner: Owner, business: Business, at: datetime) -> None:
        """Null every personal field; keep the anonymous statistics of the business."""
        for name in ("user_id", "full_name", "nik_ciphertext", "nik_index", "phone", "reg_no"):
            setattr(owner, name, None)
        owner.consent_at, owner.consent_version = None, None
        owner.deleted_at = owner.updated_at = at
        for name in ("name", "kbli", "street", "annual_sales", "capital", "nib"):
            setattr(business, name, None)
        business.nib_verified = False
        await self.session.execute(delete(NibHelpRequest).where(NibHelpRequest.owner_id == owner.id))
        await self.session.flush()

    async def stream(self, where: OwnerFilter | None = None) -> AsyncIterator[tuple[Owner, Business]]:
        """Registered (not erased) owners in registration order, streamed rather than loaded at once."""
        query = (
            select(Owner, Business)
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.deleted_at.is_(None))
            .order_by(Owner.id)
            .execution_options(yield_per=500)
        )
        if where is not None:
            if where.district_code:
                query = query.where(Business.district_code == where.district_code)
            if where.sector:
                query = query.where(Business.sector == where.sector)
            if where.size_class:
                query = query.where(Business.size_class == where.size_class)
        result = await self.session.stream(query)
        async for owner, business in result:
            yield owner, business


class NibQueueRepository:
    """Owners without an NIB who asked for help (antrean bantuan NIB)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, owner_id: int, at: datetime) -> None:
        self.session.add(NibHelpRequest(owner_id=owner_id, created_at=at))
        await self.session.flush()

    async def open_for(self, owner_id: int) -> NibHelpRequest | None:
        return await self.session.scalar(
            select(NibHelpRequest).where(
                NibHelpRequest.owner_id == owner_id, NibHelpRequest.done_at.is_(None)
            )
        )

    async def pending(self) -> list[QueueEntry]:
        rows = await self.session.execute(
            select(NibHelpRequest, Owner, Business)
            .join(Owner, Owner.id == NibHelpRequest.owner_id)
            .join(Business, Business.owner_id == Owner.id)
            .where(NibHelpRequest.done_at.is_(None), Owner.deleted_at.is_(None))
            .order_by(NibHelpRequest.created_at, NibHelpRequest.id)
        )
        return [QueueEntry(r, o, b) for r, o, b in rows.tuples()]

    async def mark_done(self, owner_id: int, *, at: datetime, by: str) -> int:
        result = await self.session.execute(
            update(NibHelpRequest)
            .where(NibHelpRequest.owner_id == owner_id, NibHelpRequest.done_at.is_(None))
            .values(done_at=at, done_by=by)
        )
        return int(getattr(result, "rowcount", 0) or 0)
