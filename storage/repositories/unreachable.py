"""Unreachable recipients: channel identities the bot cannot send to until they write again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.core import ChannelIdentity
from storage.models.outbox import UnreachableRecipient


class UnreachableRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reachable_again(self, channel: str, external_id: str) -> None:
        await self.session.execute(
            delete(UnreachableRecipient).where(
                UnreachableRecipient.channel == channel, UnreachableRecipient.external_id == external_id
            )
        )

    @staticmethod
    def still_unreachable(identity: type[ChannelIdentity] = ChannelIdentity) -> Any:
        """SQL condition: the identity is marked unreachable and has not written since."""
        return (
            select(UnreachableRecipient.channel)
            .where(
                UnreachableRecipient.channel == identity.channel,
                UnreachableRecipient.external_id == identity.external_id,
                or_(identity.last_inbound_at.is_(None), identity.last_inbound_at < UnreachableRecipient.at),
            )
            .exists()
        )
