"""Two processes sweeping one channel's outbox at the same moment: exactly one of them sends (the
sender lease), never both at once; when it stops, the other takes over. Each dispatcher has a
database engine of its own, as two processes have."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.outbox.dispatcher import ChannelDispatcher
from handlers.agency import AgencyProfile
from messages import RenderedReply, Renderer
from storage.crypto import Cipher
from storage.database import Database
from tests.bot.outbox.helpers import broadcast_text, dispatcher, shifted_clock
from tests.bot.outbox.seed import seed_owners
from tests.conftest import TEST_SECRET_KEY

OWNERS = 300


class SlowSender:
    """Takes a few milliseconds per send, and notes who sent while whom was sending."""

    channel = "telegram"

    def __init__(self, name: str, sending: dict[str, int], overlaps: list[str], sent: list[str]) -> None:
        self.name = name
        self.sending = sending
        self.overlaps = overlaps
        self.sent = sent

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        if any(count for who, count in self.sending.items() if who != self.name):
            self.overlaps.append(self.name)
        self.sending[self.name] += 1
        try:
            await asyncio.sleep(0.002)
        finally:
            self.sending[self.name] -= 1
        self.sent.append(self.name)
        return f"{self.name}:{len(self.sent)}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("not used")


@pytest.fixture
async def other_db(database_url: str) -> AsyncIterator[Database]:
    """The second process's own connections to the same database."""
    database = Database(database_url, cipher=Cipher(TEST_SECRET_KEY))
    yield database
    await database.close()


async def _sweep_until_sent(dispatchers: list[ChannelDispatcher], db: Database, seconds: float = 30) -> None:
    """Every dispatcher sweeps as its scheduler would, all at once, until nothing is pending."""
    deadline = time.monotonic() + seconds

    async def keep_sweeping(d: ChannelDispatcher) -> None:
        while time.monotonic() < deadline:
            await d.sweep()
            async with db.transaction() as tx:
                counts = await tx.outbox.status_counts()
            if not counts.get("pending") and not counts.get("leased"):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"outbox not drained: {counts}")

    await asyncio.gather(*(keep_sweeping(d) for d in dispatchers))


async def test_two_processes_sweeping_at_once_never_send_one_channel_together(
    db: Database, other_db: Database, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, OWNERS)
    sending = {"first": 0, "second": 0}
    overlaps: list[str] = []
    sent: list[str] = []
    dispatchers = {
        name: dispatcher(
            database,
            SlowSender(name, sending, overlaps, sent),
            renderer,
            agency,
            clock=clock,
            owner=name,
            in_flight=4,
        )
        for name, database in (("first", db), ("second", other_db))
    }

    await broadcast_text(db, "Satu", now=clock())
    await _sweep_until_sent(list(dispatchers.values()), db)
    assert len(sent) == OWNERS and overlaps == []
    assert len(set(sent)) == 1, "one process sent the whole broadcast"
    holder = sent[0]
    other = "second" if holder == "first" else "first"

    # The holder stops (a shutdown gives the lease up): the other sends the next one at once.
    await dispatchers[holder].stop()
    sent.clear()
    await broadcast_text(db, "Dua", now=clock())
    await _sweep_until_sent([dispatchers[other]], db, seconds=10)
    assert sent == [other] * OWNERS and overlaps == []
