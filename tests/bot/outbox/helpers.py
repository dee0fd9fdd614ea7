"""Clocks and helpers shared by the outbox tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import declared_kinds
from bot.outbox.dispatcher import ChannelDispatcher, DispatchConfig, SweepResult
from bot.outbox.outcomes import RetryPolicy
from bot.outbox.ratelimit import ChannelLimits
from handlers.agency import AgencyProfile
from handlers.broadcasts import announcement, queue_broadcast
from handlers.capability import quiet_kinds
from messages import Renderer
from storage.database import Database
from storage.models.outbox import Broadcast
from storage.repositories.audience import AudienceFilter

FAST_RETRY = RetryPolicy(max_attempts=4, base=timedelta(milliseconds=50), cap=timedelta(milliseconds=200))


def shifted_clock(zone: ZoneInfo, hour: int) -> Callable[[], datetime]:
    """Real time moved to today's `hour` o'clock in the agency's zone (so tests never hit quiet hours)."""
    local = datetime.now(zone)
    offset = local.replace(hour=hour, minute=0, second=0, microsecond=0) - local
    return lambda: datetime.now(UTC) + offset


# The outbox kinds the app declares (quiet hours, WhatsApp templates), as the running bot has them.
KINDS = declared_kinds()


def dispatcher(
    db: Database,
    sender: object,
    renderer: Renderer,
    agency: AgencyProfile,
    *,
    clock: Callable[[], datetime],
    rate: float = 500.0,
    per_chat: float = 0.0,
    in_flight: int = 8,
    owner: str | None = None,
    batch: int = 100,
) -> ChannelDispatcher:
    return ChannelDispatcher(
        db,
        sender,  # type: ignore[arg-type]
        renderer,
        agency,
        limits=ChannelLimits(rate, per_chat),
        config=DispatchConfig(
            batch=batch, max_in_flight=in_flight, retry=FAST_RETRY, quiet_kinds=quiet_kinds(KINDS)
        ),
        owner=owner,
        clock=clock,
    )


async def broadcast_text(
    db: Database, text: str, *, now: datetime, filters: AudienceFilter | None = None
) -> Broadcast:
    async with db.transaction() as tx:
        return await queue_broadcast(
            tx,
            officer="officer:test",
            reply=announcement(text=text),
            filters=filters or AudienceFilter(),
            now=now,
        )


async def sweep_until_done(d: ChannelDispatcher, *, rounds: int = 200, pause: float = 0.05) -> SweepResult:
    """Sweep like the scheduler would until a sweep finds nothing due and nothing waiting."""
    total = SweepResult()
    for _ in range(rounds):
        result = await d.sweep()
        total.sent += result.sent
        total.failed += result.failed
        total.unreachable += result.unreachable
        total.retried += result.retried
        async with d.db.transaction() as tx:
            counts = await tx.outbox.status_counts()
        if not counts.get("pending") and not counts.get("leased"):
            return total
        await asyncio.sleep(pause)
    raise AssertionError(f"outbox not drained: {counts}")
