"""Owners, businesses and the NIB help queue.

The NIK goes in and out of this module only as ciphertext and blind index: the `Cipher` is held by the
transaction and used by the handlers' domain code, never here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import TypeVarTuple

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from storage.models.registration import Business, NibHelpRequest, Owner

# Asked for every message (the menu differs for registered owners): built once, not per call;
# building a statement costs more CPU than SQLite takes to run it.
_REGISTERED = select(func.count()).where(Owner.user_id == bindparam("user_id"), Owner.deleted_at.is_(None))


_Ts = TypeVarTuple("_Ts")

_REGISTERED_OWNERS = (
    select(Owner, Business).join(Business, Business.owner_id == Owner.id).where(Owner.deleted_at.is_(None))
)


class DuplicateOwner(Exception):
    """The NIK (by its blind index) or the chat user is already registered."""


@dataclass(frozen=True, slots=True)
class OwnerFilter:
    """Officer filters: kecamatan code, sector id, size class, status; and a search: `text` in
    the owner's name, the business name or the registration number, or `phone_digits` in the
    phone number."""

    district_code: str | None = None
    sector: str | None = None
    size_class: str | None = None
    status: str | None = None
    text: str | None = None
    phone_digits: str | None = None

    def apply(self, query: Select[*_Ts]) -> Select[*_Ts]:
        """Narrow a query that joins Owner and Business."""
        if self.district_code:
            query = query.where(Business.district_code == self.district_code)
        if self.sector:
            query = query.where(Business.sector == self.sector)
        if self.size_class:
            query = query.where(Business.size_class == self.size_class)
        if self.status:
            query = query.where(Business.status == self.status)
        matches: list[ColumnElement[bool]] = []
        if self.text:
            escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            matches += [
                Owner.full_name.ilike(pattern, escape="\\"),
                Business.name.ilike(pattern, escape="\\"),
                Owner.reg_no.ilike(pattern, escape="\\"),
            ]
        if self.phone_digits:
            matches.append(Owner.phone.contains(self.phone_digits, autoescape=True))
        if matches:
            query = query.where(or_(*matches))
        return query


@dataclass(frozen=True, slots=True)
class Breakdown:
    """How many registered businesses share one size class, sector, kecamatan and status."""

    size_class: str | None
    sector: str | None
    district_code: str | None
    status: str
    count: int


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
        query = _REGISTERED_OWNERS.order_by(Owner.id).execution_options(yield_per=500)
        result = await self.session.stream((where or OwnerFilter()).apply(query))
        async for owner, business in result:
            yield owner, business

    async def page(
        self, where: OwnerFilter, *, before: int | None, limit: int
    ) -> list[tuple[Owner, Business]]:
        """A page of registered owners, newest first: those with an id below `before` (keyset)."""
        query = where.apply(_REGISTERED_OWNERS).order_by(Owner.id.desc()).limit(limit)
        if before is not None:
            query = query.where(Owner.id < before)
        return [(row[0], row[1]) for row in await self.session.execute(query)]

    async def count(self, where: OwnerFilter) -> int:
        query = where.apply(
            select(func.count()).select_from(Owner).join(Business, Business.owner_id == Owner.id)
        ).where(Owner.deleted_at.is_(None))
        return int(await self.session.scalar(query) or 0)

    async def get(self, owner_id: int) -> tuple[Owner, Business] | None:
        """A registered (not erased) owner by id."""
        row = (await self.session.execute(_REGISTERED_OWNERS.where(Owner.id == owner_id))).first()
        return (row[0], row[1]) if row is not None else None

    async def breakdown(self) -> list[Breakdown]:
        """Registered businesses counted by size class, sector, kecamatan and status at once:
        one scan of `ix_businesses_breakdown` (the combinations are few), erased owners left out."""
        erased = select(Owner.id).where(Owner.deleted_at.is_not(None))
        rows = await self.session.execute(
            select(
                Business.size_class, Business.sector, Business.district_code, Business.status, func.count()
            )
            .where(Business.owner_id.not_in(erased))
            .group_by(Business.size_class, Business.sector, Business.district_code, Business.status)
        )
        return [
            Breakdown(size, sector, district, str(status), int(n))
            for size, sector, district, status, n in rows
        ]

    async def registered_between(self, bounds: list[datetime]) -> list[int]:
        """How many owners registered in each interval [bounds[i], bounds[i+1]): one statement,
        a range count of `ix_owners_registered_at` per interval."""
        if len(bounds) < 2:
            return []
        counts = [
            select(func.count())
            .where(Owner.registered_at >= start, Owner.registered_at < end)
            .scalar_subquery()
            for start, end in pairwise(bounds)
        ]
        row = (await self.session.execute(select(*counts))).one()
        return [int(v) for v in row]


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

    async def pending(self, *, after: int | None = None, limit: int | None = None) -> list[QueueEntry]:
        """Open requests, oldest first; `after` (a request id) and `limit` page through them."""
        query = (
            select(NibHelpRequest, Owner, Business)
            .join(Owner, Owner.id == NibHelpRequest.owner_id)
            .join(Business, Business.owner_id == Owner.id)
            .where(NibHelpRequest.done_at.is_(None), Owner.deleted_at.is_(None))
            .order_by(NibHelpRequest.id)
        )
        if after is not None:
            query = query.where(NibHelpRequest.id > after)
        if limit is not None:
            query = query.limit(limit)
        rows = await self.session.execute(query)
        return [QueueEntry(r, o, b) for r, o, b in rows]

    async def pending_count(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(NibHelpRequest)
                .join(Owner, Owner.id == NibHelpRequest.owner_id)
                .where(NibHelpRequest.done_at.is_(None), Owner.deleted_at.is_(None))
            )
            or 0
        )

    async def mark_done(self, owner_id: int, *, at: datetime, by: str) -> int:
        result = await self.session.execute(
            update(NibHelpRequest)
            .where(NibHelpRequest.owner_id == owner_id, NibHelpRequest.done_at.is_(None))
            .values(done_at=at, done_by=by)
        )
        return int(getattr(result, "rowcount", 0) or 0)
