"""Backups taken while the bot writes, and restored: every row committed before the backup began is
there, and no transaction is there by half; a database that holds data is only replaced on request.
On SQLite, and on PostgreSQL (pg_dump / pg_restore) when `make test` runs the suite there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.backup import BackupError, backup, restore, rows_held
from storage.crypto import Cipher
from storage.database import Database
from storage.models import AuditEntry, Counter
from tests.bot.cli_helpers import run_cli
from tests.conftest import TEST_SECRET_KEY, pg_database, postgres_url


@pytest.fixture
async def empty_url(tmp_path: Path) -> AsyncIterator[str]:
    """A database with nothing in it (not even tables) to restore into."""
    pg = postgres_url()
    if pg is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    async with pg_database(pg) as url:
        yield url


async def _writes(db: Database, committed: list[int], going: asyncio.Event, stop: asyncio.Event) -> None:
    """Transactions one after another, each writing two rows (an audit entry, a counter) and
    noting its number once committed; `going` is set after 200."""
    number = 0
    while not stop.is_set():
        async with db.transaction() as tx:
            tx.session.add(AuditEntry(actor="test", action="write", subject=f"write:{number}"))
            await tx.counters.next("writes")
        committed.append(number)
        number += 1
        if number == 200:
            going.set()
        await asyncio.sleep(0)


def _partial_files(directory: Path) -> list[Path]:
    return list(directory.glob(".*.partial"))


async def _restored(url: str) -> tuple[list[int], int]:
    db = Database(url, cipher=Cipher(TEST_SECRET_KEY))
    try:
        async with db.transaction() as tx:
            subjects = (await tx.session.execute(select(AuditEntry.subject))).scalars().all()
            counter = await tx.session.scalar(select(Counter.value).where(Counter.name == "writes"))
        return sorted(int(s.split(":")[1]) for s in subjects if s.startswith("write:")), int(counter or 0)
    finally:
        await db.close()


async def test_a_backup_taken_during_writes_restores_every_committed_row(
    db: Database, database_url: str, empty_url: str, tmp_path: Path
) -> None:
    committed: list[int] = []
    going, stop = asyncio.Event(), asyncio.Event()
    writer = asyncio.create_task(_writes(db, committed, going, stop))
    await asyncio.wait_for(going.wait(), 30)
    before = len(committed)  # committed before the backup began: each must be in it
    copied = await backup(database_url, tmp_path / "umkm.backup")
    during = len(committed)
    stop.set()
    await writer
    assert during > before, "the writes went on while the backup was taken"
    assert copied.size > 0 and not _partial_files(tmp_path)

    await restore(empty_url, copied.path, force=False)
    numbers, counter = await _restored(empty_url)
    # Every row committed before the backup, a consistent cut after it: whole transactions only.
    assert numbers == list(range(len(numbers))) and before <= len(numbers) <= during
    assert counter == len(numbers)


async def test_restore_refuses_a_database_with_data_unless_forced(
    db: Database, database_url: str, empty_url: str, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        tx.session.add(AuditEntry(actor="test", action="write", subject="write:0"))
    copied = await backup(database_url, tmp_path / "umkm.backup")
    await restore(empty_url, copied.path, force=False)
    target = Database(empty_url, cipher=Cipher(TEST_SECRET_KEY))
    try:
        async with target.transaction() as tx:
            tx.session.add(AuditEntry(actor="test", action="write", subject="write:written-later"))
    finally:
        await target.close()
    with pytest.raises(BackupError, match="holds 2 rows; add --force"):
        await restore(empty_url, copied.path, force=False)
    await restore(empty_url, copied.path, force=True)
    assert await _restored(empty_url) == ([0], 0)
    assert await rows_held(empty_url) == 1


async def test_the_commands_exit_with_one_line_on_a_bad_file(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        tx.session.add(AuditEntry(actor="test", action="write", subject="write:0"))
    env = {"DATABASE_URL": database_url}
    written = run_cli(["db", "backup", "-o", str(tmp_path / "b.backup")], tmp_path / "data", **env)
    assert written.returncode == 0, written.stderr
    assert "Cadangan database ditulis ke" in written.stdout
    garbage = tmp_path / "not-a-backup"
    garbage.write_bytes(b"hello")
    refused = run_cli(["db", "restore", str(garbage), "--force"], tmp_path / "data", **env)
    assert refused.returncode == 2 and refused.stderr.startswith("umkm-bot: ")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert await rows_held(database_url) > 0, "a file that is no backup leaves the database as it was"
    missing = run_cli(["db", "backup", "-o", str(tmp_path / "no" / "such" / "b")], tmp_path / "data", **env)
    assert missing.returncode == 2
    assert missing.stderr == f"umkm-bot: -o: folder {tmp_path / 'no' / 'such'} tidak ada\n"
