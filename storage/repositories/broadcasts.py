"""Broadcast audiences: registered owners by region, sector, size class and status.

An audience is one SQL query; queueing it is one INSERT … SELECT, so a broadcast
to 100,000 owners never holds them in memory. Each owner gets one row, on the
channel they used last; owners who opted out (berhenti), deleted their data or
are unreachable there are never included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, and_, cast, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from storage.models.base import UTCDateTime
from storage.models.core import ChannelIdentity, User
from storage.models.outbox import PENDING, Broadcast, OutboxMessage
from storage.models.registration import Business, Owner
from storage.repositories.outbox import OutboxRepository
from storage.repositories.unreachable import UnreachableRepository

SENDABLE_CHANNELS = ("telegram", "whatsapp")


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    district_code: str | None = None
    sector: str | None = None
    size_class: str | None = None
    status: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _last_used(identity: Any) -> Any:
    return func.coalesce(identity.last_inbound_at, identity.created_at)


def audience(filters: AudienceFilter, channels: Sequence[str] = SENDABLE_CHANNELS) -> Select[str, str, int]:
    """(channel, external_id, user_id) of every owner the filters select, one identity each."""
    identity = ChannelIdentity
    other = aliased(ChannelIdentity)
    # The owner's most recently used identity among the sendable channels wins.
    newer = (
        select(other.id)
        .where(
            other.user_id == identity.user_id,
            other.channel.in_(list(channels)),
            other.id != identity.id,
            or_(
                _last_used(other) > _last_used(identity),
                and_(_last_used(other) == _last_used(identity), other.id > identity.id),
            ),
        )
        .exists()
    )
    query = (
        select(identity.channel, identity.external_id, identity.user_id)
        .join(User, User.id == identity.user_id)
        .join(Owner, Owner.user_id == User.id)
        .join(Business, Business.owner_id == Owner.id)
        .where(
            identity.channel.in_(list(channels)),
            User.opted_out.is_(False),
            Owner.deleted_at.is_(None),
            ~newer,
            ~UnreachableRepository.still_unreachable(identity),
        )
    )
    if filters.district_code:
        query = query.where(Business.district_code == filters.district_code)
    if filters.sector:
        query = query.where(Business.sector == filters.sector)
    if filters.size_class:
        query = query.where(Business.size_class == filters.size_class)
    if filters.status:
        query = query.where(Business.status == filters.status)
    return query


class BroadcastRepository:
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def audience_counts(self, filters: AudienceFilter) -> dict[str, int]:
        selected = audience(filters).subquery()
        rows = await self.session.execute(
            select(selected.c.channel, func.count()).group_by(selected.c.channel).order_by(selected.c.channel)
        )
        return {channel: int(count) for channel, count in rows.all()}

    async def create(
        self,
        *,
        created_by: str,
        template: str | None,
        text: str | None,
        filters: AudienceFilter,
        now: datetime,
    ) -> Broadcast:
        broadcast = Broadcast(
            created_by=created_by, template=template, text=text, filters=filters.as_dict(), created_at=now
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def queue(
        self,
        broadcast: Broadcast,
        payload: dict[str, Any],
        filters: AudienceFilter,
        *,
        due_at: datetime,
        now: datetime,
    ) -> int:
        """Queue one announcement row per audience member; returns how many were queued."""
        selected = audience(filters).subquery()
        key_prefix = f"broadcast:{broadcast.id}:user:"
        rows = select(
            selected.c.channel,
            selected.c.external_id,
            selected.c.user_id,
            literal("announcement", String()),
            literal(key_prefix, String()) + cast(selected.c.user_id, String()),
            literal(payload, JSON()),
            literal(due_at, UTCDateTime()),
            literal(PENDING, String()),
            literal(0),
            literal(due_at, UTCDateTime()),
            literal(broadcast.id),
            literal(now, UTCDateTime()),
        ).where(true())  # SQLite: INSERT … SELECT … ON CONFLICT needs a WHERE to parse
        columns = (
            "channel",
            "external_id",
            "user_id",
            "kind",
            "dedupe_key",
            "payload",
            "due_at",
            "status",
            "attempts",
            "next_attempt_at",
            "broadcast_id",
            "created_at",
        )
        queued = await OutboxRepository(self.session, sqlite=self.sqlite).enqueue_from(rows, columns)
        broadcast.audience = await self.audience_counts_of(broadcast.id)
        broadcast.total = queued
        await self.session.flush()
        return queued

    async def audience_counts_of(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(OutboxMessage.channel, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.channel)
        )
        return {channel: int(count) for channel, count in rows.all()}

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def latest(self) -> Broadcast | None:
        result = await self.session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))
        return result.scalar_one_or_none()
