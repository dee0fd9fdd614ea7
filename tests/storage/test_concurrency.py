"""Concurrent writers never lose an update, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (locks)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage.database import Database
from storage.models import Counter

WRITERS = 40


async def test_counter_sequences_never_repeat_a_number(db: Database) -> None:
    async def take() -> int:
        async with db.transaction() as tx:
            return await tx.counters.next("registration:2026")

    numbers = await asyncio.gather(*(take() for _ in range(WRITERS)))
    assert sorted(numbers) == list(range(1, WRITERS + 1))
    async with db.transaction() as tx:
        assert await tx.counters.current("registration:2026") == WRITERS


async def test_read_modify_write_in_a_transaction_loses_nothing(db: Database) -> None:
    """The pattern SQLite's deferred transactions get wrong: read, yield, write the read value + 1."""
    async with db.transaction() as tx:
        tx.session.add(Counter(name="visits", value=0))

    async def increment() -> None:
        async with db.transaction("counter:visits") as tx:
            row = (await tx.session.execute(select(Counter).where(Counter.name == "visits"))).scalar_one()
            value = row.value
            await asyncio.sleep(0.001)  # let every other writer run in between
            row.value = value + 1

    await asyncio.gather(*(increment() for _ in range(WRITERS)))
    async with db.transaction() as tx:
        assert await tx.counters.current("visits") == WRITERS


async def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    class Boom(Exception):
        pass

    try:
        async with db.transaction() as tx:
            await tx.counters.next("rolled-back")
            raise Boom
    except Boom:
        pass
    async with db.transaction() as tx:
        assert await tx.counters.current("rolled-back") == 0
