"""SQLite's WAL is copied into the database file by the app's background checkpoint, not by
whichever commit happens to take the WAL past SQLite's threshold (that commit would pay for it)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import text

from storage.database import Database


def rows_in_main_file(path: Path, copy: Path) -> list[tuple[int]]:
    """What the database file holds without its WAL (a copy of the file alone)."""
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:
        return connection.execute("SELECT x FROM t ORDER BY x").fetchall()


async def test_writes_wait_in_the_wal_until_the_background_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.transaction() as tx:
            await tx.session.execute(text("CREATE TABLE t (x INTEGER, filler TEXT)"))
        await db.checkpoint()
        async with db.transaction() as tx:
            # About 1,500 pages of WAL: past SQLite's default threshold (1,000), below ours.
            rows = [{"x": x, "filler": "u" * 4000} for x in range(1500)]
            await tx.session.execute(text("INSERT INTO t (x, filler) VALUES (:x, :filler)"), rows)
        assert rows_in_main_file(path, tmp_path / "before.db") == [], "no commit checkpointed"
        await db.checkpoint()
        assert rows_in_main_file(path, tmp_path / "after.db") == [(x,) for x in range(1500)]
        # A checkpoint beside an open write transaction neither waits for it nor breaks it.
        async with db.transaction() as tx:
            await tx.session.execute(text("INSERT INTO t (x) VALUES (1500)"))
            await db.checkpoint()
        async with db.transaction() as tx:
            assert (await tx.session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 1501
    finally:
        await db.close()


async def test_postgresql_needs_no_checkpoint_from_us() -> None:
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    await db.checkpoint()  # returns without connecting: PostgreSQL checkpoints by itself
    await db.close()
