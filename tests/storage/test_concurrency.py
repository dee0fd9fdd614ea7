"""Concurrent writers never lose an update, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (locks)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from storage.database import Database, advisory_key
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


@pytest.mark.postgresql
async def test_named_locks_cost_one_round_trip_and_are_asked_for_again_after_a_rollback(
    database_url: str,
) -> None:
    """Several locks go in one statement; asking again for a lock the transaction holds costs
    nothing; one taken inside a SAVEPOINT that was rolled back is released, so asking again
    takes it again (another process may hold it meanwhile)."""
    first, other = Database(database_url), Database(database_url)
    asked: list[str] = []

    def count(*args: Any) -> None:  # (connection, cursor, statement, parameters, context, many)
        if "pg_advisory_xact_lock" in args[2]:
            asked.append(args[2])

    async def held_elsewhere(name: str) -> bool:
        async with other.transaction() as elsewhere:
            taken = await elsewhere.session.scalar(select(func.pg_try_advisory_xact_lock(advisory_key(name))))
            return not taken

    event.listen(first.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with first.transaction("chat:1", "chat:2", "chat:3") as tx:
            assert len(asked) == 1, "three locks, one round trip"
            assert all([await held_elsewhere(f"chat:{n}") for n in (1, 2, 3)])
            await first.lock(tx, "chat:2")
            assert len(asked) == 1, "held since the transaction began"
            nested = await tx.session.begin_nested()
            await first.lock(tx, "user:7")
            await nested.rollback()  # releases user:7
            assert not await held_elsewhere("user:7")
            await first.lock(tx, "user:7")
            assert len(asked) == 3, "taken again after the rollback"
            assert await held_elsewhere("user:7")
    finally:
        event.remove(first.engine.sync_engine, "before_cursor_execute", count)
        await first.close()
        await other.close()
