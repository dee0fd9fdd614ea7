"""`Database.snapshot()`: long reads (exports) that neither wait for nor hold back a writer."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import DBAPIError

from storage.database import Database

WAIT = 5.0  # seconds: far more than any of these writes takes, far less than a stuck one


async def _take(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        return await tx.counters.next(name)


async def test_a_writer_commits_while_a_snapshot_is_open_and_the_snapshot_keeps_its_view(
    db: Database,
) -> None:
    await _take(db, "messages")
    async with db.snapshot() as tx:
        assert await tx.counters.current("messages") == 1
        # On SQLite a transaction() here would hold the one writer until the block ends.
        assert await asyncio.wait_for(_take(db, "messages"), WAIT) == 2
        assert await asyncio.wait_for(_take(db, "messages"), WAIT) == 3
        assert await tx.counters.current("messages") == 1  # what it saw when it began
    async with db.snapshot() as tx:
        assert await tx.counters.current("messages") == 3


async def test_a_snapshot_reads_while_a_writer_holds_its_transaction_open(db: Database) -> None:
    await _take(db, "messages")
    writing = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.counters.next("messages")
            writing.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await asyncio.wait_for(writing.wait(), WAIT)

    async def read() -> int:
        async with db.snapshot() as tx:
            return await tx.counters.current("messages")

    try:
        assert await asyncio.wait_for(read(), WAIT) == 1  # not the uncommitted 2
    finally:
        release.set()
        await task
    assert await asyncio.wait_for(read(), WAIT) == 2


async def test_a_write_in_a_snapshot_is_refused_and_the_next_transaction_writes(db: Database) -> None:
    with pytest.raises(DBAPIError):
        async with db.snapshot() as tx:
            await tx.counters.next("messages")
    # The same pooled connection, a writer again.
    assert await _take(db, "messages") == 1
    async with db.snapshot() as tx:
        assert await tx.counters.current("messages") == 1
