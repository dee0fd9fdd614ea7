"""The database: one engine for the app's lifetime, and transactions as units of work."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import BigInteger, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_inline
from storage.crypto import Cipher
from storage.engine import create_engine, is_sqlite, session_factory
from storage.repositories import Transaction


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL advisory locks."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


# Several named locks in one round trip, in the order given (the array's order: the lock
# function is evaluated row by row as the ordinality orders them).
_LOCK_ALL = text(
    "SELECT pg_advisory_xact_lock(k) FROM unnest(:keys) WITH ORDINALITY AS t(k, n) ORDER BY n"
).bindparams(bindparam("keys", type_=ARRAY(BigInteger)))


class Database:
    """Owns the engine. Code writes in a `transaction()` (on SQLite it holds the one writer), and
    reads that write nothing go in a `snapshot()`, which holds no writer back."""

    def __init__(self, url: str, *, echo: bool = False, cipher: Cipher | None = None) -> None:
        self.url = url
        self.cipher = cipher
        self.is_sqlite = is_sqlite(url)
        self.engine: AsyncEngine = create_engine(url, echo=echo)
        self._sessions = session_factory(self.engine)
        self._read_sessions = session_factory(self.engine, read_only=True)
        # SQLite has one writer at a time and every transaction here is a writer (BEGIN
        # IMMEDIATE): queue them in this process instead of in SQLite's sleeping busy handler.
        # Another process still waits through the busy timeout. Transactions must not nest.
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self, *locks: str) -> AsyncIterator[Transaction]:
        """A transaction that commits on success and rolls back on error.

        `locks` name things to serialise on across processes (PostgreSQL
        advisory transaction locks, taken in the order given). On SQLite every
        transaction already holds the database's single write lock.
        """
        async with contextlib.AsyncExitStack() as stack:
            if self._sqlite_writer is not None:
                await stack.enter_async_context(self._sqlite_writer)
            session = await stack.enter_async_context(self._sessions())
            await stack.enter_async_context(session.begin())
            tx = Transaction(session, sqlite=self.is_sqlite, cipher=self.cipher)
            await self.lock_all(tx, locks)
            yield tx

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Transaction]:
        """A read-only transaction, for a long read such as an export: it sees the data as they
        were at its first read, and neither waits for nor holds back any writer. On SQLite a
        `transaction()` holds the one writer for as long as it runs (an export of 100,000
        owners: about 20 s, during which no message could be stored or answered); this one
        does not. A write in it raises, on both engines."""
        async with self._read_sessions() as session, session.begin():
            yield Transaction(session, sqlite=self.is_sqlite, cipher=self.cipher)

    async def lock(self, tx: Transaction, name: str) -> None:
        """Take one more named lock inside an open transaction (see `lock_all`)."""
        await self.lock_all(tx, (name,))

    async def lock_all(self, tx: Transaction, names: Sequence[str]) -> None:
        """Take these named locks, in the order given, in one round trip. One the transaction
        holds already costs nothing (a batch takes its users' locks up front, and each message
        asks again); one taken inside a SAVEPOINT is not remembered: rolling that back
        releases it. Every caller that takes several must give them in one global order."""
        if self.is_sqlite:
            return
        wanted = [name for name in dict.fromkeys(names) if name not in tx.locks]
        if not wanted:
            return
        if len(wanted) == 1:
            await tx.session.execute(select(func.pg_advisory_xact_lock(advisory_key(wanted[0]))))
        else:
            await tx.session.execute(_LOCK_ALL, {"keys": [advisory_key(name) for name in wanted]})
        if not tx.session.in_nested_transaction():
            tx.locks.update(wanted)

    async def checkpoint(self) -> None:
        """SQLite: copy what the WAL holds into the database file, off the commit path.

        PASSIVE never waits for a writer nor blocks one, and runs on its own pooled connection
        and a worker thread, outside `transaction()`: no BEGIN, no writer lock. Run every
        few seconds by the app's scheduler, so no conversation or outbox commit pays for it.
        PostgreSQL checkpoints by itself: nothing to do.
        """
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, sqlite_inline.Connection)
            await driver.checkpoint("PASSIVE")

    async def ping(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    async def close(self) -> None:
        await self.engine.dispose()
