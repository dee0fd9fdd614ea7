"""After Hapus data the erased values leave the database files, not only the live rows: SQLite's file
and its WAL, PostgreSQL's table files (heap, TOAST and indexes of every table, read under the
server's data directory), once the scrub has run (storage/scrub.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import App
from handlers.trainings.schedule import create_training
from handlers.trainings.seats import applicant_of, sign_up
from handlers.types import Incoming
from storage.database import Database
from storage.scrub import Scrubber, scrub
from tests.handlers.registration.conversation import HAPPY_PATH, NIK
from tests.handlers.trainings.helpers import NOW, plan

TELEGRAM_USER = "70001"
PHONE = "+6281234567890"


async def _register_and_erase(app: App) -> list[str]:
    """Register over a Telegram-like identity whose number the platform vouched for (a shared
    contact), then erase; returns the values that must be gone."""
    for typed, _expected in HAPPY_PATH:
        shared = PHONE if typed == "0812-3456-7890" else None
        await app.router.handle(
            Incoming("telegram", TELEGRAM_USER, text="" if shared else typed, shared_phone=shared)
        )
    await app.router.handle(Incoming("telegram", TELEGRAM_USER, text="Simpan"))
    async with app.db.transaction() as tx:
        row = (await tx.session.execute(text("SELECT nik_ciphertext, nik_index, reg_no FROM owners"))).one()
        phone = await tx.session.scalar(text("SELECT phone FROM channel_identities"))
        # A sign-up copies the owner's name and number into the training's list.
        training = await create_training(tx, officer="officer:test", plan=plan(), now=NOW)
        user_id = await tx.session.scalar(text("SELECT user_id FROM owners"))
        applicant, person = await applicant_of(tx, user_id)
        assert person is not None
        await sign_up(tx, training.id, person, applicant, actor="test", now=NOW)
        assert await tx.session.scalar(text("SELECT full_name FROM training_enrolments")) == "Siti Aminah"
    assert phone == PHONE and row.reg_no
    values = ["Siti Aminah", "Warung Bu Tini", "Jl. A. Yani Km. 5", PHONE, row.nik_ciphertext, row.nik_index]
    await _files_flushed(app.db)
    assert await _found(app, values) == set(values), "the scan must see the values before erasure"
    await app.router.handle(Incoming("telegram", TELEGRAM_USER, text="Hapus data"))
    await app.router.handle(Incoming("telegram", TELEGRAM_USER, text="Ya, hapus data saya"))
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(text("SELECT phone FROM channel_identities")) is None
    return values


async def _files_flushed(db: Database) -> None:
    """PostgreSQL writes pages to the table files at a checkpoint; SQLite's WAL is read as well."""
    if not db.is_sqlite:
        async with db.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("CHECKPOINT"))


async def _found(app: App, values: list[str]) -> set[str]:
    """Which values the files hold, as bytes anywhere in them."""
    data = b"".join(p.read_bytes() for p in await _files(app))
    return {v for v in values if v.encode() in data}


async def _files(app: App) -> list[Path]:
    db = app.db
    if db.is_sqlite:
        path = Path(db.engine.url.database or "")
        return [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    async with db.engine.connect() as connection:
        base = Path(str(await connection.scalar(text("SHOW data_directory"))))
        # Every table, not only those the capabilities declare (`erases_from`): a table one forgot
        # to declare keeps the old row versions, and this is where that shows.
        relations = await connection.execute(
            text(
                """
                WITH ours AS (SELECT c.oid, c.reltoastrelid FROM pg_class c
                              WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace)
                SELECT pg_relation_filepath(oid) FROM ours
                UNION ALL SELECT pg_relation_filepath(reltoastrelid) FROM ours WHERE reltoastrelid <> 0
                UNION ALL SELECT pg_relation_filepath(i.indexrelid) FROM pg_index i JOIN ours ON ours.oid = i.indrelid
                """
            )
        )
        paths = [base / str(p) for (p,) in relations if p]
    if not all(os.access(p, os.R_OK) or not p.exists() for p in paths):
        pytest.skip("the PostgreSQL server's files are not readable from here")
    # A relation larger than 1 GB continues in FILE.1, FILE.2, …; these tables are far smaller.
    return [p for p in paths if p.exists()]


async def test_erased_values_leave_the_files_after_the_scrub(app: App) -> None:
    values = await _register_and_erase(app)
    assert NIK not in values  # never stored in clear at all (tests/storage/clear_text.py)
    await _files_flushed(app.db)
    left = await _found(app, values)
    # Before the scrub they are still there: SQLite's WAL, PostgreSQL's dead row versions.
    assert left, "nothing to scrub: this test would not see a scrub that does nothing"
    scrubber = Scrubber(app.db, app.erased_tables())
    assert await scrubber.run()
    await _files_flushed(app.db)
    assert await _found(app, values) == set()
    assert not await scrubber.run(), "nothing new to scrub"
    # The bot still works on the scrubbed tables.
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(text("SELECT count(*) FROM owners WHERE deleted_at IS NOT NULL")) == 1


async def test_sqlite_zeroes_what_a_change_frees_in_the_page(tmp_path: Path) -> None:
    """Without secure_delete SQLite leaves a nulled value (here its index entry) in the page's free
    space, where no checkpoint reaches it. Debian builds SQLite with it on by default, other builds
    do not: every connection of ours asks for it."""
    path = tmp_path / "t.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.transaction() as tx:
            await tx.session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, pad TEXT)"))
            await tx.session.execute(text("CREATE INDEX ix_t_name ON t (name)"))  # as owners.phone has
            for i in range(100):
                await tx.session.execute(
                    text("INSERT INTO t (name, pad) VALUES (:n, :p)"), {"n": f"x{i}", "p": "p" * 100}
                )
            await tx.session.execute(text("INSERT INTO t (name, pad) VALUES ('Siti Aminah', 'x')"))
        await scrub(db, [])
        async with db.transaction() as tx:
            await tx.session.execute(text("UPDATE t SET name = NULL WHERE name = 'Siti Aminah'"))
        await scrub(db, [])
        assert b"Siti Aminah" not in path.read_bytes()
    finally:
        await db.close()
