"""SQLite statements run on the event loop's thread (storage/sqlite_inline.py); waiting for
another process's write lock must not stop the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import sqlite_inline
from storage.database import Database


async def test_a_writer_waiting_for_another_process_lock_leaves_the_loop_running(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.transaction() as tx:
            await tx.session.execute(text("CREATE TABLE t (x INTEGER)"))
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock
        other.execute("INSERT INTO t VALUES (1)")

        async def write() -> float:
            async with db.transaction() as tx:
                await tx.session.execute(text("INSERT INTO t VALUES (2)"))
            return time.monotonic()

        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.5)
        assert not writer.done(), "the write waits for the lock"
        assert ticks >= 20, f"the loop kept running while it waited ({ticks} ticks in 0.5 s)"
        released = time.monotonic()
        other.execute("COMMIT")
        finished = await asyncio.wait_for(writer, 10)
        ticker.cancel()
        assert finished >= released
        async with db.transaction() as tx:
            rows = (await tx.session.execute(text("SELECT x FROM t ORDER BY x"))).scalars().all()
        assert rows == [1, 2], "the other process's row first, then ours: nothing lost"
        other.close()
    finally:
        await db.close()


async def test_errors_other_than_a_lock_reach_the_caller(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        with pytest.raises(OperationalError, match="no such table"):
            async with db.transaction() as tx:
                await tx.session.execute(text("SELECT * FROM missing"))
        async with db.transaction() as tx:  # the connection is fine afterwards
            assert (await tx.session.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await db.close()


async def test_a_cancelled_caller_gives_the_connection_back_only_when_its_thread_is_done(
    tmp_path: Path,
) -> None:
    connection = await sqlite_inline.connector(tmp_path / "bot.db", busy_timeout=1)()
    finished: list[float] = []

    def slow() -> None:
        time.sleep(0.3)  # a checkpoint's fsyncs
        finished.append(time.monotonic())

    task = asyncio.create_task(connection.in_thread(slow))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished and finished[0] <= time.monotonic(), "the thread was done before the caller was"
    await connection.close()  # safe now: nothing else uses it
