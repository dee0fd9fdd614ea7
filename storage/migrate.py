"""Apply Alembic migrations programmatically (`umkm-bot db upgrade`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

MIGRATIONS = "storage:migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema. Blocking; run it in a thread from async code."""
    command.upgrade(alembic_config(url), "heads")


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def current_revisions(connection: AsyncConnection) -> set[str]:
    def _read(sync_connection: object) -> set[str]:
        return set(MigrationContext.configure(sync_connection).get_current_heads())  # type: ignore[arg-type]

    return await connection.run_sync(_read)
