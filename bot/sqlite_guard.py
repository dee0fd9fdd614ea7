"""One `umkm-bot run` per SQLite database.

SQLite is the single-process embedded engine: a second bot on the same file would take the same
chats' messages out of turn and compete for its one writer. `run` holds an exclusive lock on a
file beside the database for as long as it runs (the operating system drops it when the process
ends, however it ends); a second `run` is refused with one line. Officer commands, `chat` and
`outbox run` do not take it. PostgreSQL takes several processes (README, "Running in production").
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import ConfigError
from storage.engine import DatabaseUnavailable, is_sqlite, prepare_sqlite_file


def lock_path(database_url: str) -> Path | None:
    """The lock file of an SQLite database file; None for PostgreSQL or an in-memory database."""
    if not is_sqlite(database_url):
        return None
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    path = Path(database).resolve()
    return path.with_name(path.name + ".run.lock")


@contextlib.contextmanager
def one_run_per_sqlite_database(database_url: str) -> Iterator[None]:
    """Hold the database's run lock while the body runs; ConfigError if another process holds it,
    DatabaseUnavailable if the lock file cannot be created beside the database."""
    path = lock_path(database_url)
    if path is None or sys.platform == "win32":
        yield
        return
    import fcntl  # noqa: PLC0415 - POSIX only

    prepare_sqlite_file(database_url)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot create the run lock {path} ({exc.strerror or exc})") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise ConfigError(
                f"DATABASE_URL: another 'umkm-bot run' (pid {holder}) serves this SQLite database; "
                "SQLite takes one process: stop that one, or use PostgreSQL to run several"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
