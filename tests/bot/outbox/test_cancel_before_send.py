"""A message whose subject ended while the sender held it (the owner answered the round while the
reminder waited its turn) is not sent: `cancel` ends leased rows too, and the sender looks once more
right before sending."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bot.channels.telegram.channel import TelegramChannel
from bot.outbox.results import ResultWriter
from handlers.agency import AgencyProfile
from handlers.types import utcnow
from handlers.update_round.planner import key_prefix, open_round
from messages import Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import CANCELLED, SENT
from storage.repositories.outbox import ClaimedMessage
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


async def test_a_look_that_fails_reaches_every_send_that_asked_and_the_next_look_runs(db: Database) -> None:
    writer = ResultWriter(db, "telegram", retry_for=timedelta(minutes=5), clock=utcnow)
    rows = [ClaimedMessage(n, "telegram", str(n), None, "reminder", {}, 1, None) for n in (1, 2, 3)]
    async with db.transaction() as tx:
        await tx.session.execute(text("DROP TABLE outbox"))  # every look fails from now on
    answers = await asyncio.wait_for(
        asyncio.gather(*(writer.still_ours(row, "me") for row in rows), return_exceptions=True), timeout=10
    )
    assert len(answers) == 3 and all(isinstance(answer, DBAPIError) for answer in answers), answers
    with pytest.raises(DBAPIError):  # a later look runs again (and fails again) rather than hang
        await asyncio.wait_for(writer.still_ours(rows[0], "me"), timeout=10)
