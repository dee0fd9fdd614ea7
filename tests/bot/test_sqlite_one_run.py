"""SQLite takes one `umkm-bot run`: a second one on the same database file is refused with one line,
and the database is free again once the first has stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.bot.cli_helpers import run_cli
from tests.bot.conftest import Running, free_port, whatsapp_env
from tests.fakes import FakeWhatsApp


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


def test_a_second_run_on_one_sqlite_database_is_refused(
    tmp_path: Path, wa: FakeWhatsApp, run_bot: Callable[..., Running]
) -> None:
    # Its own SQLite file, in the PostgreSQL pass too: the rule is SQLite's.
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'umkm.sqlite3'}", **whatsapp_env(wa)}
    first = run_bot(**env)
    first.health()
    second = run_cli(["run"], tmp_path / "data", HTTP_PORT=str(free_port()), **env)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"umkm-bot: DATABASE_URL: another 'umkm-bot run' (pid {first.process.pid}) serves this SQLite "
        "database; SQLite takes one process: stop that one, or use PostgreSQL to run several"
    ]
    assert first.health()["status"] == "ok", "the first one serves on"
    first.stop()

    again = run_bot(**env)
    assert again.health()["status"] == "ok", "free again once the first has stopped"
