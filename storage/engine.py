"""Database engines: SQLite (embedded default) and PostgreSQL (production).

SQLite's default transaction handling begins lazily, so two read-modify-write
transactions can both read the old value and one update is silently lost. Every
transaction here therefore starts with `BEGIN IMMEDIATE`, which takes the write
lock up front; WAL keeps readers from blocking, and the busy timeout makes a
second writer wait instead of failing.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from storage import sqlite_inline

SQLITE_BUSY_TIMEOUT_MS = 30_000
# SQLite copies the WAL back into the database file (a checkpoint, with its fsyncs) in the commit
# that takes the WAL past this many pages: that commit is 10-20 ms slower than the others. The
# running app checkpoints in the background instead (`Database.checkpoint`, every few seconds);
# this higher threshold (about 40 MB) is only the safety net, and what a command-line process uses.
SQLITE_AUTOCHECKPOINT_PAGES = 10_000
# The execution option of a read-only transaction (`session_factory(read_only=True)`), on both
# engines: what SQLite's "begin" listener below, and anyone observing the engine, reads.
READ_ONLY = "umkm_read_only"
#: The databases this program runs on, and the one (async) driver it ships for each.
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
# What asyncpg.connect takes besides its keywords: SQLAlchemy's own, in a URL's query.
_ASYNCPG_DIALECT_OPTIONS = frozenset({"prepared_statement_cache_size"})
_ASYNCPG_NOT_FROM_URL = frozenset({"dsn", "loop", "connection_class", "record_class"})


class DatabaseUnavailable(Exception):
    """The database cannot be opened: no server there, a refused login, no such database, a
    file or folder SQLite cannot open or create. The message says which and the driver's (or the
    operating system's) reason, never the password. Raised only where a database is first
    opened; errors of a database in use stay what the driver raised."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def check_url(url: str) -> None:
    """Raise ValueError saying why `url` (with its async driver) names no database this program
    can open: not a URL, another database than SQLite and PostgreSQL, a driver it does not ship,
    a connection parameter the driver does not take. The reason never repeats the URL (it may
    hold a password)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(
            "not a database URL; write postgresql://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in DRIVERS:
        raise ValueError(
            f"unsupported database {backend!r}; write postgresql://… (PostgreSQL) or sqlite:///… (SQLite)"
        )
    if driver != DRIVERS[backend]:
        raise ValueError(
            f"the driver {driver!r} is not shipped; write {backend}://… and {DRIVERS[backend]} is used"
        )
    if backend == "postgresql":
        taken = _asyncpg_options()
        for name in parsed.query:
            if name not in taken:
                hint = " (for TLS: ssl=require)" if name == "sslmode" else ""
                raise ValueError(f"asyncpg takes no connection parameter {name!r}{hint}")


def _asyncpg_options() -> frozenset[str]:
    import asyncpg  # noqa: PLC0415 - only for PostgreSQL; SQLite commands never load it

    keywords = inspect.signature(asyncpg.connect).parameters
    return frozenset(keywords) - _ASYNCPG_NOT_FROM_URL | _ASYNCPG_DIALECT_OPTIONS


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database}"
    host = url.host or url.query.get("host") or "localhost"
    return f"PostgreSQL at {host}{f':{url.port}' if url.port else ''}"


def _reason(error: BaseException) -> str:
    if isinstance(error, DBAPIError):
        return str(error.orig)
    if isinstance(error, TimeoutError):
        return "timed out"
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def folder_reason(folder: Path, exc: OSError) -> str:
    """Why a folder could not be made or written in, in a few words: a file in its place, or
    the operating system's reason."""
    return "it is not a folder" if folder.exists() and not folder.is_dir() else _reason(exc)


@asynccontextmanager
async def first_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """`engine.connect()` where a command first opens its database: one that cannot be opened (no
    server, a refused login, no such database, a file SQLite cannot open) raises
    `DatabaseUnavailable` with the driver's reason; what fails once connected is raised as is."""
    connection = engine.connect()
    try:
        await connection.start()
    except (OSError, DBAPIError) as exc:
        verb = "open" if engine.dialect.name == "sqlite" else "connect to"
        raise DatabaseUnavailable(f"cannot {verb} {_where(engine.url)} ({_reason(exc)})") from exc
    try:
        yield connection
    finally:
        await connection.close()


def prepare_sqlite_file(url: str) -> None:
    """Create the folder of an SQLite database file; `DatabaseUnavailable` when it cannot be."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = folder_reason(folder, exc)
        raise DatabaseUnavailable(
            f"cannot create the folder {folder} of the SQLite database ({reason})"
        ) from exc


def _setup_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # The busy timeout is the driver's (storage/sqlite_inline.py): it waits for another
        # process's lock on a worker thread, never on the event loop.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
        # Changed and deleted values are overwritten with zeros in the page, not left in its free
        # space: after Hapus data they must leave the file (storage/scrub.py empties the WAL).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to our driver: through `exec_driver_sql`, SQLAlchemy's statement machinery
        # (execution context, cursor, result) cost about 20 µs of a transaction's 200.
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite_inline.Connection)
        await_only(driver.begin(read_only=bool(connection.get_execution_options().get(READ_ONLY))))


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for `url` (`sqlite+aiosqlite://…` or `postgresql+asyncpg://…`).

    SQLite statements run on the calling thread (storage/sqlite_inline.py), not aiosqlite's. An
    SQLite file's folder is created here (`DatabaseUnavailable` when it cannot be)."""
    if is_sqlite(url):
        prepare_sqlite_file(url)
        database = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            async_creator=sqlite_inline.connector(database, busy_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000),
        )
        _setup_sqlite(engine)
        return engine
    # hide_parameters: SQL errors never carry personal data into logs.
    return create_async_engine(
        url, echo=echo, hide_parameters=True, pool_size=10, max_overflow=20, pool_pre_ping=True
    )


def session_factory(engine: AsyncEngine, *, read_only: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions whose transactions read and write; `read_only`: ones that only read, and on SQLite
    never hold the writer (PostgreSQL: `BEGIN READ ONLY`)."""
    if read_only:
        options: dict[str, object] = {READ_ONLY: True}
        if engine.dialect.name != "sqlite":
            # PostgreSQL: one snapshot for the whole transaction, as SQLite's (a read-only
            # REPEATABLE READ transaction never fails to serialise).
            options |= {"postgresql_readonly": True, "isolation_level": "REPEATABLE READ"}
        return async_sessionmaker(engine, expire_on_commit=False, execution_options=options)
    return async_sessionmaker(engine, expire_on_commit=False)


__all__ = [
    "AsyncSession",
    "DatabaseUnavailable",
    "check_url",
    "create_engine",
    "first_connection",
    "is_sqlite",
    "session_factory",
]
