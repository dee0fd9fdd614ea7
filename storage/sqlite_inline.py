"""SQLite for the async engine without a thread hop per call.

SQLAlchemy's aiosqlite dialect drives an aiosqlite connection: every cursor, execute, fetch
and close is handed to the connection's own thread and its answer handed back to the event
loop, about four hops a statement. Measured on this project's machine: a primary-key SELECT
costs 4 µs in sqlite3 itself, 107 µs through aiosqlite, 300-500 µs of CPU through the
async engine; for a bot whose messages are a handful of small statements each, the hops were
most of its work. No maintained package offers SQLite to SQLAlchemy's async engine another
way, so this module is ours: an object with the aiosqlite connection's interface (what the
dialect and this project use of it), whose coroutines run the sqlite3 call on the calling
thread and complete at once.

What makes running SQLite on the event loop's thread acceptable: the file is local, WAL mode
lets readers never wait, and every write transaction of this app starts with BEGIN IMMEDIATE,
after which its statements never wait for a lock either. The one thing that can wait is
taking the lock (another process writing: a command-line `umkm-bot …`, a second tool): the
connection runs with SQLite's busy timeout at 0, and a statement answered "database is
locked" is run again on a worker thread with the real timeout, so the loop keeps serving
while it waits. Long work that is not a statement (the checkpoint, with its fsyncs) goes to a
thread too: `in_thread`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Raised by sqlite3 when the lock is taken and the busy timeout ran out (here: at once).
_LOCKED = ("database is locked", "database table is locked")


def _is_locked(error: sqlite3.OperationalError) -> bool:
    return str(error).startswith(_LOCKED)


class Cursor:
    """aiosqlite's cursor interface over a sqlite3 cursor, run inline."""

    def __init__(self, connection: Connection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Any]:
        while (row := await self.fetchone()) is not None:
            yield row

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        await self._connection._run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        await self._connection._run(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    async def nextset(self) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunAtOnce:
    """Stands in for aiosqlite's request queue: SQLAlchemy's dialect sets `isolation_level` by
    putting (future, function) on it."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class Connection:
    """aiosqlite's connection interface over a sqlite3 connection, run inline."""

    def __init__(self, connection: sqlite3.Connection, *, busy_timeout: float) -> None:
        self._conn = connection
        self._busy_ms = int(busy_timeout * 1000)
        self._tx = _RunAtOnce()
        self._closed = False
        self._query_only = False
        connection.execute("PRAGMA busy_timeout=0")

    @property
    def _connection(self) -> sqlite3.Connection | None:
        """What aiosqlite calls the open sqlite3 connection (None once closed: SQLAlchemy's
        adapter then skips the commit or rollback)."""
        return None if self._closed else self._conn

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _is_locked(error):
                raise
        return await self.in_thread(call, *args)

    async def in_thread(self, call: Callable[..., T], *args: Any) -> T:
        """Run `call` on a worker thread, waiting for a lock up to the busy timeout."""

        def waiting() -> T:
            self._conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
            try:
                return call(*args)
            finally:
                self._conn.execute("PRAGMA busy_timeout=0")

        # The thread cannot be stopped: until it is done with the connection, nobody else may
        # use or close it, so a cancelled caller (a job stopped at shutdown) waits for it first.
        work = asyncio.ensure_future(asyncio.to_thread(waiting))
        cancelled = False
        while True:
            try:
                result = await asyncio.shield(work)
                break
            except asyncio.CancelledError:
                if work.done():
                    raise
                cancelled = True
        if cancelled:
            raise asyncio.CancelledError
        return result

    async def checkpoint(self, mode: str) -> tuple[int, int, int]:
        """`PRAGMA wal_checkpoint(mode)` on a worker thread (it copies pages and syncs the file):
        (busy, pages in the WAL, pages copied)."""
        assert mode in ("PASSIVE", "FULL", "RESTART", "TRUNCATE")
        row = await self.in_thread(lambda: self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone())
        busy, log, copied = row
        return int(busy), int(log), int(copied)

    def cursor(self) -> Cursor:
        return Cursor(self, self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        return await self.cursor().executemany(sql, parameters)

    async def begin(self, *, read_only: bool = False) -> None:
        """`BEGIN IMMEDIATE`: take the write lock now (waiting on a thread if another process
        holds it). `read_only`: a deferred `BEGIN` under `PRAGMA query_only`, which never takes
        the write lock (in WAL mode it reads a snapshot and waits for no writer) and refuses
        any write ("attempt to write a readonly database")."""
        if read_only != self._query_only:
            self._conn.execute(f"PRAGMA query_only={int(read_only)}")
            self._query_only = read_only
        await self._run(self._conn.execute, "BEGIN" if read_only else "BEGIN IMMEDIATE")

    async def commit(self) -> None:
        await self._run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any], **kw: Any) -> None:
        self._conn.create_function(name, num_params, func, **kw)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (also SQLAlchemy's forced terminate)."""
        self._closed = True
        self._conn.close()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def total_changes(self) -> int:
        return self._conn.total_changes


def connector(path: str | Path, *, busy_timeout: float, uri: bool = False) -> Callable[[], Any]:
    """`create_async_engine(async_creator=…)` for the SQLite file at `path`."""

    async def connect() -> Connection:
        connection = sqlite3.connect(
            path, uri=uri, isolation_level=None, check_same_thread=False, cached_statements=256
        )
        return Connection(connection, busy_timeout=busy_timeout)

    return connect


__all__ = ["Connection", "Cursor", "connector"]
