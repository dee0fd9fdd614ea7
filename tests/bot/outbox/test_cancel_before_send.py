"""A message whose subject ended while the sender held it (the owner answered the round while the
reminder waited its turn) is not sent: `cancel` ends leased rows too, and the sender looks once more
right before sending."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import select

from bot.channels.telegram.channel import TelegramChannel
from handlers.agency import AgencyProfile
from handlers.update_round.planner import key_prefix, open_round
from messages import Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import CANCELLED, SENT
from tests.bot.outbox.helpers import dispatcher, shifted_clock
from tests.bot.outbox.seed import seed_owners, user_id_of
from tests.fakes import FakeTelegram
from tests.storage.plans import statements


async def test_a_reminder_cancelled_while_leased_is_not_sent(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    first, second = await seed_owners(db, 2)
    async with db.transaction() as tx:
        round_row, queued = await open_round(
            tx, officer="officer:test", deadline=date.today() + timedelta(days=10), note=None, now=clock()
        )
    assert queued == 2
    # One send at a time, and the first one hangs: both rows are claimed, the second waits its turn.
    tg.hang_next("sendMessage", 1.0)
    sender = dispatcher(db, telegram, renderer, agency, clock=clock, in_flight=1)
    sweep = asyncio.create_task(sender.sweep())
    await tg.wait_for_async(lambda calls: any(c.method == "sendMessage" for c in calls), timeout=10)
    answered = await user_id_of(db, "telegram", second)
    async with db.transaction() as tx:
        leased = {
            r.external_id: r.status for r in (await tx.session.execute(select(OutboxMessage))).scalars()
        }
        assert leased == {first: "leased", second: "leased"}
        # The second owner answers the round meanwhile.
        assert await tx.outbox.cancel(key_prefix(round_row.id, answered), "answered") == 1
    result = await sweep
    assert result.sent == 1
    assert [str(m["chat_id"]) for m in tg.sent_messages()] == [first]
    async with db.transaction() as tx:
        rows = {r.external_id: r.status for r in (await tx.session.execute(select(OutboxMessage))).scalars()}
    assert rows == {first: SENT, second: CANCELLED}


async def test_the_sends_in_flight_together_look_at_their_rows_in_one_statement(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    # One look each, on PostgreSQL, took a pooled connection each: 64 sends in flight opened
    # connections past the pool's for every batch.
    clock = shifted_clock(agency.time_zone, 10)
    owners = await seed_owners(db, 20)
    async with db.transaction() as tx:
        await open_round(
            tx, officer="officer:test", deadline=date.today() + timedelta(days=10), note=None, now=clock()
        )
    sender = dispatcher(db, telegram, renderer, agency, clock=clock, in_flight=20, rate=100_000)
    with statements(db, "SELECT outbox.id") as looks:
        result = await sender.sweep()
    assert result.sent == 20
    assert sorted(str(m["chat_id"]) for m in tg.sent_messages()) == sorted(owners)
    assert 1 <= len(looks) <= 3, looks
