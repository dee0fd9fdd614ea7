"""Quiet hours are checked for every batch of a sweep, not only when the sweep starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.agency import AgencyProfile
from messages import RenderedReply, Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import PENDING, SENT
from tests.bot.outbox.helpers import broadcast_text, dispatcher
from tests.bot.outbox.seed import seed_owners


class TickingSender:
    """A Telegram sender whose every send moves the clock on by `step`."""

    channel = "telegram"

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.now = start
        self.step = step
        self.sent: list[datetime] = []  # when each send started

    def clock(self) -> datetime:
        return self.now

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent.append(self.now)
        self.now += self.step
        return f"{external_id}:{len(self.sent)}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("no templates on Telegram")


async def test_a_broadcast_still_running_at_nine_pm_waits_for_the_morning(
    db: Database, renderer: Renderer, agency: AgencyProfile
) -> None:
    zone = agency.time_zone
    start = datetime(2026, 3, 2, 20, 59, 50, tzinfo=zone).astimezone(UTC)
    sender = TickingSender(start, timedelta(seconds=1))
    await seed_owners(db, 30)
    await broadcast_text(db, "Pengumuman", now=start)
    d = dispatcher(db, sender, renderer, agency, clock=sender.clock, batch=5, in_flight=1)
    await d.sweep()
    morning = datetime(2026, 3, 3, 7, 0, tzinfo=zone).astimezone(UTC)
    async with db.transaction() as tx:
        rows = (await tx.session.execute(select(OutboxMessage))).scalars().all()
    sent = [r for r in rows if r.status == SENT]
    assert len(sent) == len(sender.sent) == 10
    assert all(at.astimezone(zone).hour < 21 for at in sender.sent)
    waiting = [r for r in rows if r.status == PENDING]
    assert len(waiting) == 30 - len(sent)
    assert all(r.next_attempt_at >= morning for r in waiting)
