"""Shared fixtures: a fresh, migrated database per test, on SQLite or PostgreSQL.

`TEST_DATABASE_URL` (set by `make test` for its second pass) selects PostgreSQL;
each test then gets its own database cloned from a migrated template. A test marked
`@pytest.mark.postgresql` (several processes on one database) needs it: in the SQLite pass it
is reported as skipped, with the reason, in the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.channels.console import ConsoleChannel
from bot.settings import DEFAULT_PROFILE, Settings, load_settings
from handlers.agency import AgencyProfile, load_profile
from storage.crypto import Cipher
from storage.database import Database
from storage.migrate import upgrade

# As `umkm-bot` does at start: python-telegram-bot's durations as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")

pytest_plugins = ["tests.fakes.fixtures", "tests.network.plugin", "pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--keep-engine-free",
        action="store_true",
        help="with TEST_DATABASE_URL: run the tests that never reach the database too",
    )


TEST_SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
# Per test run, so runs in parallel (several shells, CI) never drop each other's template.
PG_TEMPLATE = f"umkm_test_template_{os.getpid()}"


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return url if url and url.startswith("postgresql") else None


def _pg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def _pg_admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_pg_dsn(url, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


POSTGRESQL_ONLY = "PostgreSQL only: runs in make test's PostgreSQL pass (TEST_DATABASE_URL)"


# Fixtures through which a test reaches the database under test (`database_url` is under all the
# others: `db`, `settings`, `app`, …).
DATABASE_FIXTURES = frozenset({"database_url", "empty_url"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `postgresql` is skipped, with its reason in the summary, without PostgreSQL.

    The PostgreSQL pass (after the whole suite passed on SQLite in `make test`) runs the tests
    that reach the database, and leaves out, as deselected, those that never do (templates,
    rules, fakes, pure channel code): they would only run a second time the same way."""
    if postgres_url() is not None:
        engine_free = [
            item
            for item in items
            if item.get_closest_marker("postgresql") is None
            and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        ]
        if engine_free and not config.getoption("keep_engine_free", False):
            config.hook.pytest_deselected(items=engine_free)
            left_out = set(engine_free)
            items[:] = [item for item in items if item not in left_out]
        return
    for item in items:
        if item.get_closest_marker("postgresql") is not None:
            item.add_marker(pytest.mark.skip(reason=POSTGRESQL_ONLY))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy: an SQLite file, or a PostgreSQL template database."""
    pg = postgres_url()
    if pg is None:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        upgrade(f"sqlite+aiosqlite:///{path}")
        yield str(path)
        return
    asyncio.run(
        _pg_admin(pg, f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)", f"CREATE DATABASE {PG_TEMPLATE}")
    )
    template_url = make_url(pg).set(database=PG_TEMPLATE).render_as_string(hide_password=False)
    upgrade(template_url)
    yield PG_TEMPLATE
    asyncio.run(_pg_admin(pg, f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)"))


@contextlib.asynccontextmanager
async def pg_database(pg: str, template: str | None = None) -> AsyncIterator[str]:
    """A PostgreSQL database of its own (a copy of `template`, or empty), dropped afterwards."""
    name = f"umkm_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(pg, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        await _pg_admin(pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def database_url(migrated_template: str, tmp_path: Path) -> AsyncIterator[str]:
    pg = postgres_url()
    if pg is None:
        path = tmp_path / "umkm.sqlite3"
        shutil.copyfile(migrated_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    async with pg_database(pg, migrated_template) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, cipher=Cipher(TEST_SECRET_KEY))
    yield database
    await database.close()


@pytest.fixture
def agency() -> AgencyProfile:
    return load_profile(DEFAULT_PROFILE)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=database_url, data_dir=tmp_path / "data", secret_key=TEST_SECRET_KEY, _env_file=None
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    application = await build_app(settings)
    yield application
    await application.close()


@pytest.fixture
def console(app: App) -> ConsoleChannel:
    """Talk to the app as the console user "tester": `await console.send("halo")` -> rendered replies."""
    return ConsoleChannel(app.router, app.renderer, "tester")
