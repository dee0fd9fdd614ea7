"""Broadcasts (pengumuman): an officer's announcement and its audience's outbox rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.outbox import Broadcast, OutboxMessage
from storage.repositories.audience import AudienceFilter, audience, count_by_channel


class BroadcastRepository:
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def audience_counts(self, filters: AudienceFilter) -> dict[str, int]:
        return await count_by_channel(self.session, audience(filters))

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

    async def record_queued(self, broadcast: Broadcast, queued: int) -> None:
        """After its rows are queued: how many, and how many on each channel."""
        broadcast.audience = await self.audience_counts_of(broadcast.id)
        broadcast.total = queued
        await self.session.flush()

    async def audience_counts_of(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(OutboxMessage.channel, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.channel)
        )
        return {channel: int(count) for channel, count in rows.all()}

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def recent(self, *, before: int | None = None, limit: int = 20) -> list[Broadcast]:
        """Newest first; `before` a broadcast id (keyset)."""
        query = select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)
        if before is not None:
            query = query.where(Broadcast.id < before)
        return list((await self.session.execute(query)).scalars())

    async def latest(self) -> Broadcast | None:
        result = await self.session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))
        return result.scalar_one_or_none()
