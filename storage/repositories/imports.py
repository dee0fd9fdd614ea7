"""The agency's records brought in (impor data): batched inserts, the records an import would
fill in, who may confirm an imported record, and whom to invite.

Rows come in batches of a few hundred, each one INSERT (… ON CONFLICT DO NOTHING, so a NIK
registered by chat meanwhile is skipped, not an error) and one for their businesses. The NIK
arrives here as ciphertext and blind index only, as everywhere in storage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, and_, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models.core import AuditEntry, ChannelIdentity, User
from storage.models.outbox import UnreachableRecipient
from storage.models.registration import Business, Owner, OwnerSource
from storage.repositories.audience import Audience
from storage.repositories.core import unclaimed_import


@dataclass(frozen=True, slots=True)
class NewRecord:
    """One imported owner and their business, as column values (the NIK sealed already)."""

    nik_index: str
    owner: Mapping[str, Any]
    business: Mapping[str, Any]


def whatsapp_id(phone: Any) -> Any:
    """SQL: the WhatsApp id of a stored E.164 number, the number without its "+"."""
    return func.substr(phone, 2)


class ImportRepository:
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def registered(self, nik_indexes: Sequence[str]) -> dict[str, tuple[Owner, Business]]:
        """The registrations (not erased) holding these NIKs, by blind index."""
        if not nik_indexes:
            return {}
        rows = await self.session.execute(
            select(Owner, Business)
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.nik_index.in_(list(nik_indexes)), Owner.deleted_at.is_(None))
        )
        return {owner.nik_index: (owner, business) for owner, business in rows.all() if owner.nik_index}

    async def add(self, records: Sequence[NewRecord], *, actor: str, at: datetime) -> dict[str, int]:
        """Insert owners and their businesses, and an audit entry per owner; a NIK registered
        meanwhile is skipped. Returns the new owner ids by blind index."""
        if not records:
            return {}
        insert = sqlite_insert if self.sqlite else pg_insert
        owners: Table = Owner.__table__  # type: ignore[assignment]
        businesses: Table = Business.__table__  # type: ignore[assignment]
        audit: Table = AuditEntry.__table__  # type: ignore[assignment]
        # executemany: SQLAlchemy sends them as a few multi-row INSERTs ("insertmanyvalues"), and
        # RETURNING tells which went in (8 times faster than one statement built per batch).
        result = await self.session.execute(
            insert(owners).on_conflict_do_nothing().returning(owners.c.id, owners.c.nik_index),
            [dict(r.owner) for r in records],
        )
        added = {str(index): int(owner_id) for owner_id, index in result.all()}
        if not added:
            return added
        await self.session.execute(
            businesses.insert(),
            [{**r.business, "owner_id": added[r.nik_index]} for r in records if r.nik_index in added],
        )
        await self.session.execute(
            audit.insert(),
            [
                {"at": at, "actor": actor, "action": "owner.imported", "subject": f"owner:{i}", "details": {}}
                for i in added.values()
            ],
        )
        return added

    # Confirming by chat -----------------------------------------------------

    async def claimable(self, phone: str) -> list[tuple[Owner, Business]]:
        """Imported records no chat user holds yet whose number is `phone` (at most two: one
        is an answer, two are a question for the agency)."""
        rows = await self.session.execute(
            select(Owner, Business)
            .join(Business, Business.owner_id == Owner.id)
            .where(*unclaimed_import(phone))
            .order_by(Owner.id)
            .limit(2)
        )
        return [(owner, business) for owner, business in rows.all()]

    async def claim(
        self, owner_id: int, phone: str, user_id: int, *, consent_version: str, at: datetime
    ) -> bool:
        """Link an imported record to the chat user writing from its number, with their consent;
        False when it is no longer free (another chat user took it first)."""
        result = await self.session.execute(
            update(Owner)
            .where(
                Owner.id == owner_id,
                Owner.phone == phone,
                Owner.user_id.is_(None),
                Owner.deleted_at.is_(None),
                Owner.wrong_number_at.is_(None),
            )
            .values(user_id=user_id, consent_at=at, consent_version=consent_version, updated_at=at),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def wrong_number(self, owner_id: int, phone: str, at: datetime) -> bool:
        """The person writing from the recorded number says the record is not theirs."""
        result = await self.session.execute(
            update(Owner)
            .where(Owner.id == owner_id, Owner.phone == phone, Owner.user_id.is_(None))
            .values(wrong_number_at=at, updated_at=at),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # Inviting ---------------------------------------------------------------

    def invitees(self, *, district_code: str | None, only_unconfirmed: bool) -> Audience:
        """(channel, external_id, user_id, owner_id) of every imported owner to invite on WhatsApp:
        at their recorded number, unless a chat user behind that number (or the one the record is
        linked to) opted out, or WhatsApp said the number cannot receive messages."""
        identity = aliased(ChannelIdentity)
        by_number = aliased(User)
        linked = aliased(User)
        number = whatsapp_id(Owner.phone)
        unreachable = (
            select(UnreachableRecipient.channel)
            .where(
                UnreachableRecipient.channel == "whatsapp",
                UnreachableRecipient.external_id == number,
                or_(identity.last_inbound_at.is_(None), identity.last_inbound_at < UnreachableRecipient.at),
            )
            .exists()
        )
        query = (
            select(
                literal("whatsapp", String()).label("channel"),
                number.label("external_id"),
                func.coalesce(identity.user_id, Owner.user_id).label("user_id"),
                Owner.id.label("owner_id"),
            )
            .join(Business, Business.owner_id == Owner.id)
            .outerjoin(identity, and_(identity.channel == "whatsapp", identity.external_id == number))
            .outerjoin(by_number, by_number.id == identity.user_id)
            .outerjoin(linked, linked.id == Owner.user_id)
            .where(
                Owner.source == OwnerSource.IMPORT,
                Owner.deleted_at.is_(None),
                Owner.phone.is_not(None),
                Owner.wrong_number_at.is_(None),
                func.coalesce(by_number.opted_out, False).is_(False),
                func.coalesce(linked.opted_out, False).is_(False),
                ~unreachable,
            )
        )
        if only_unconfirmed:
            query = query.where(Owner.confirmed_at.is_(None))
        if district_code:
            query = query.where(Business.district_code == district_code)
        return cast(Audience, query)
