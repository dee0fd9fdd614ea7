"""Audiences: the owners a message goes to, one channel identity each, as one SQL query.

An owner is reached on the channel they used last; owners who opted out (berhenti),
deleted their data or are unreachable there are never included. Queueing an audience
is one INSERT … SELECT (`OutboxRepository.enqueue_audience`): never held in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from storage.models.core import ChannelIdentity, User
from storage.models.registration import Business, BusinessStatus, Owner
from storage.repositories.registration import OwnerFilter
from storage.repositories.unreachable import UnreachableRepository

SENDABLE_CHANNELS = ("telegram", "whatsapp")

#: (channel, external_id, user_id) of each member: what `OutboxRepository.enqueue_audience` takes.
Audience = Select[str, str, int]


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    district_code: str | None = None
    sector: str | None = None
    size_class: str | None = None
    status: BusinessStatus | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _last_used(identity: Any) -> Any:
    return func.coalesce(identity.last_inbound_at, identity.created_at)


def reachable(channels: Sequence[str] = SENDABLE_CHANNELS) -> Audience:
    """(channel, external_id, user_id) of every user the bot can reach, one identity each (the one
    used last), opted-out and unreachable ones left out: narrow it with `.where(...)` on
    `ChannelIdentity.user_id` for people who are not (or not only) registered owners."""
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
    return (
        select(identity.channel, identity.external_id, identity.user_id)
        .join(User, User.id == identity.user_id)
        .where(
            identity.channel.in_(list(channels)),
            User.opted_out.is_(False),
            ~newer,
            ~UnreachableRepository.still_unreachable(identity),
        )
    )


def audience(filters: AudienceFilter, channels: Sequence[str] = SENDABLE_CHANNELS) -> Audience:
    """(channel, external_id, user_id) of every owner the filters select, one identity each."""
    query = (
        reachable(channels)
        .join(Owner, Owner.user_id == User.id)
        .join(Business, Business.owner_id == Owner.id)
        .where(Owner.deleted_at.is_(None))
    )
    return OwnerFilter(
        district_code=filters.district_code,
        sector=filters.sector,
        size_class=filters.size_class,
        status=filters.status,
    ).apply(query)


def of_owner(owner_id: int) -> Audience:
    """One owner, on the channel they used last (nobody if they opted out or are unreachable)."""
    return audience(AudienceFilter()).where(Owner.id == owner_id)


async def count_by_channel(session: AsyncSession, selected_audience: Audience) -> dict[str, int]:
    """How many members of an audience each channel reaches (a dry run's figures)."""
    selected = selected_audience.subquery()
    rows = await session.execute(
        select(selected.c.channel, func.count()).group_by(selected.c.channel).order_by(selected.c.channel)
    )
    return {channel: int(count) for channel, count in rows.all()}
