"""Sender leases: which process sends a channel's outbox (one at a time), and the channel's pause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.outbox import OutboxSender


class SenderLeaseRepository:
    """One sending process per channel: a lease row renewed by its holder, taken over when it runs out."""

    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def acquire(self, channel: str, owner: str, *, until: datetime, now: datetime) -> bool:
        """Take or renew the channel's sender lease; False while another live process holds it."""
        insert_ = sqlite_insert if self.sqlite else pg_insert
        await self.session.execute(
            insert_(OutboxSender)
            .values(channel=channel)
            .on_conflict_do_nothing(index_elements=[OutboxSender.channel])
        )
        result = await self.session.execute(
            update(OutboxSender)
            .where(
                OutboxSender.channel == channel,
                or_(
                    OutboxSender.owner == owner,
                    OutboxSender.owner.is_(None),
                    OutboxSender.lease_until.is_(None),
                    OutboxSender.lease_until < now,
                ),
            )
            .values(owner=owner, lease_until=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, channel: str, owner: str) -> None:
        await self.session.execute(
            update(OutboxSender)
            .where(OutboxSender.channel == channel, OutboxSender.owner == owner)
            .values(owner=None, lease_until=None)
        )

    async def holder(self, channel: str, now: datetime) -> str | None:
        row = await self.session.get(OutboxSender, channel)
        if row is None or row.lease_until is None or row.lease_until < now:
            return None
        return row.owner

    async def pause(self, channel: str, until: datetime, reason: str) -> None:
        await self.session.execute(
            update(OutboxSender)
            .where(OutboxSender.channel == channel)
            .values(paused_until=until, pause_reason=reason[:200])
        )

    async def paused_until(self, channel: str, now: datetime) -> datetime | None:
        value: datetime | None = await self.session.scalar(
            select(OutboxSender.paused_until).where(OutboxSender.channel == channel)
        )
        return value if value is not None and value > now else None
