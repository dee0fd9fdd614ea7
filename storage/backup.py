"""Backups: a consistent copy of the database taken while the bot runs, and putting one back.

- SQLite: the backup API copies every page under one read transaction, so the copy is the
  database as of one moment; writers carry on meanwhile (WAL). The copy is one self-contained
  file (journal_mode DELETE), written beside the target and renamed into place when complete.
- PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot) and `pg_restore`, the
  client of the server's own major version (`/usr/lib/postgresql/<major>/bin`, else PATH); an
  older pg_dump than the server is refused with the package to install. The password goes in
  the environment (PGPASSWORD), never on the command line.

Restoring refuses a database that holds any row unless `force` is given; then (and for an empty
but migrated database) the existing tables are dropped first, the copy restored, and the
migrations applied on top (a backup may be older than the code). What the files hold is
personal data, the NIK sealed with SECRET_KEY: a backup is only readable with that key.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.engine import Connection, make_url

from storage.engine import (
    DatabaseUnavailable,
    create_engine,
    first_connection,
    is_sqlite,
    prepare_sqlite_file,
)
from storage.migrate import upgrade

#: Alembic's own table does not count when deciding whether a database holds data.
_BOOKKEEPING = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore that cannot be done. `code` and `values` name the officer's words
    (`officer/db/refused`: storage never formats text); the message is for logs and tests."""

    def __init__(self, code: str, message: str, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class Copied:
    path: Path
    size: int


async def backup(url: str, output: Path) -> Copied:
    """Write a consistent copy of the database at `url` to `output` (replaced only when complete)."""
    partial = _writable(output)
    try:
        if is_sqlite(url):
            source = _sqlite_path(url)
            try:
                await asyncio.to_thread(_sqlite_backup, source, partial)
            except sqlite3.DatabaseError as exc:
                code = exc.sqlite_errorcode & 0xFF
                if code == _NOT_A_DATABASE:  # the source: what DATABASE_URL (or DATA_DIR) names
                    raise DatabaseUnavailable(f"cannot open the SQLite database {source} ({exc})") from exc
                if code not in _WRITING_FAILED:
                    raise
                raise _cannot_write(output, str(exc)) from None
        else:
            await _pg_dump(url, partial)  # pg_dump's own failures are BackupError("tool_failed")
        try:
            return _finish(partial, output)
        except OSError as exc:  # the finished copy could not take the file's name
            raise _cannot_write(output, exc.strerror or str(exc)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


# SQLite's primary result codes for a copy it could not write: SQLITE_IOERR, SQLITE_FULL and
# SQLITE_CANTOPEN (a folder it may not create a file in). Busy or locked is the source's.
_WRITING_FAILED = frozenset({10, 13, 14})
# SQLITE_NOTADB: the file copied from is not an SQLite database.
_NOT_A_DATABASE = 26


def _cannot_write(output: Path, reason: str) -> BackupError:
    return BackupError("cannot_write", f"cannot write {output}: {reason}", path=str(output), reason=reason)


def _writable(output: Path) -> Path:
    """Where the copy is written until complete, beside `output`."""
    if output.is_dir():
        raise BackupError("is_directory", f"{output} is a directory; name a file to write", path=str(output))
    if not output.parent.is_dir():
        raise BackupError("no_directory", f"no such directory: {output.parent}", path=str(output.parent))
    return output.with_name(f".{output.name}.partial")


def _finish(partial: Path, output: Path) -> Copied:
    os.replace(partial, output)
    return Copied(output, output.stat().st_size)


def _exists(path: Path) -> bool:
    return path.exists()


def _readable(source: Path) -> None:
    if not source.is_file():
        raise BackupError("no_file", f"no such file: {source}", path=str(source))


async def restore(url: str, source: Path, *, force: bool) -> None:
    """Put the copy in `source` into the database at `url`, then migrate it to the current schema."""
    _readable(source)
    held = await rows_held(url)
    if held and not force:
        raise BackupError(
            "holds_rows",
            f"the database holds {held} rows; add --force to replace them with the backup",
            rows=held,
        )
    if is_sqlite(url):
        prepare_sqlite_file(url)
        await asyncio.to_thread(_sqlite_restore, source, _sqlite_path(url))
    else:
        program = await _client("pg_restore", url)
        await _run([program, "--list", str(source)], {})  # a pg_dump archive, before anything is dropped
        await _drop_tables(url)
        await _pg_restore(program, url, source)
    await asyncio.to_thread(upgrade, url)


async def rows_held(url: str) -> int:
    """How many rows the database's tables hold (0 for a database without tables)."""
    if is_sqlite(url) and not _exists(_sqlite_path(url)):
        return 0
    engine = create_engine(url)
    try:
        async with first_connection(engine) as connection:
            return await connection.run_sync(_count_rows)
    finally:
        await engine.dispose()


def _count_rows(connection: Connection) -> int:
    metadata = MetaData()
    metadata.reflect(connection)
    tables = [t for name, t in metadata.tables.items() if name not in _BOOKKEEPING]
    return sum(int(connection.scalar(select(func.count()).select_from(t)) or 0) for t in tables)


# SQLite -------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("in_memory", "DATABASE_URL: an in-memory SQLite database has nothing to back up")
    return Path(database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError("no_database", f"no database at {source}", path=str(source))
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        _check(dst, target)


def _sqlite_restore(source: Path, target: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
            _check(src, source)
            try:
                dst = sqlite3.connect(target, timeout=30)
            except sqlite3.OperationalError as exc:  # the target's, not the backup's
                raise DatabaseUnavailable(f"cannot open the SQLite database {target} ({exc})") from exc
            with contextlib.closing(dst):
                src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            "not_a_backup",
            f"{source} is not an SQLite backup of this bot ({exc})",
            path=str(source),
            detail=str(exc),
        ) from None


def _check(connection: sqlite3.Connection, path: Path) -> None:
    found = connection.execute("PRAGMA quick_check").fetchone()
    if not found or found[0] != "ok":
        detail = found[0] if found else "no answer"
        raise BackupError(
            "damaged", f"{path} is damaged (quick_check: {detail})", path=str(path), detail=detail
        )
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables:
        raise BackupError(
            "not_ours", f"{path} is not a database of this bot (no alembic_version table)", path=str(path)
        )


# PostgreSQL ---------------------------------------------------------------------------------


def _libpq(url: str) -> dict[str, str]:
    """The connection as libpq's environment (PGHOST, …, PGPASSWORD): no secret on a command line."""
    parsed = make_url(url)
    values = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
        "PGSSLMODE": parsed.query.get("sslmode") or parsed.query.get("ssl"),
    }
    return {k: str(v) for k, v in values.items() if v}


async def _server_major(url: str) -> int:
    engine = create_engine(url)
    try:
        async with first_connection(engine) as connection:
            return int(await connection.scalar(text("SHOW server_version_num")) or 0) // 10_000
    finally:
        await engine.dispose()


async def _client(name: str, url: str) -> str:
    """pg_dump / pg_restore of the server's major version, or a newer one on PATH."""
    major = await _server_major(url)
    own = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    program = str(own) if _exists(own) else shutil.which(name)
    if program is None:
        raise BackupError(
            "client_missing",
            f"{name} not found: install postgresql-client-{major}",
            program=name,
            major=major,
        )
    version = await _run([program, "--version"], {})
    client_major = int("".join(c for c in version.split()[-1].split(".")[0] if c.isdigit()) or 0)
    if client_major < major:
        raise BackupError(
            "client_old",
            f"{program} is version {client_major}, the server {major}: install postgresql-client-{major}",
            program=program,
            version=client_major,
            major=major,
        )
    return program


async def _run(command: list[str], env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        reason = (err or out).decode(errors="replace").strip().splitlines()
        detail = reason[-1] if reason else str(process.returncode)
        name = Path(command[0]).name
        raise BackupError("tool_failed", f"{name} failed: {detail}", program=name, detail=detail)
    return out.decode(errors="replace")


async def _pg_dump(url: str, output: Path) -> None:
    program = await _client("pg_dump", url)
    await _run([program, "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"], _libpq(url))


async def _pg_restore(program: str, url: str, source: Path) -> None:
    """One transaction: a restore that fails leaves the tables dropped, never half restored."""
    env = _libpq(url)
    await _run(
        [
            program,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={env.get('PGDATABASE', '')}",
            str(source),
        ],
        env,
    )


async def _drop_tables(url: str) -> None:
    """Every table of the target goes (the copy brings its own), in dependency order."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:

            def drop(sync: Connection) -> None:
                metadata = MetaData()
                metadata.reflect(sync)
                metadata.drop_all(sync)
                for name in inspect(sync).get_table_names():  # what drop_all could not order
                    sync.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))

            await connection.run_sync(drop)
    finally:
        await engine.dispose()
