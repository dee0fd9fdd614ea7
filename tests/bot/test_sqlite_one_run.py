"""SQLite takes one `umkm-bot run`: a second one on the same database file is refused with one line,
and the database is free again once the first has stopped."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.cli_helpers import cli_env
from tests.bot.conftest import Running, free_port, whatsapp_env
from tests.fakes import FakeWhatsApp


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


def _run(tmp_path: Path, url: str, wa: FakeWhatsApp) -> Running:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path / "data", DATABASE_URL=url, HTTP_PORT=str(port), **whatsapp_env(wa)),
        cwd=tmp_path,
    )
    return Running(process, port)  # type: ignore[arg-type]


def test_a_second_run_on_one_sqlite_database_is_refused(tmp_path: Path, wa: FakeWhatsApp) -> None:
    # Its own SQLite file, in the PostgreSQL pass too: the rule is SQLite's.
    url = f"sqlite+aiosqlite:///{tmp_path / 'umkm.sqlite3'}"
    first = _run(tmp_path, url, wa)
    try:
        first.health()
        second = _run(tmp_path, url, wa)
        _, stderr = second.process.communicate(timeout=60)
        assert second.process.returncode == 2
        assert stderr.strip().splitlines() == [
            f"umkm-bot: DATABASE_URL: another 'umkm-bot run' (pid {first.process.pid}) serves this SQLite "
            "database; SQLite takes one process: stop that one, or use PostgreSQL to run several"
        ]
        assert first.health()["status"] == "ok", "the first one serves on"
    finally:
        first.stop()
    assert first.process.returncode == 0

    again = _run(tmp_path, url, wa)
    try:
        assert again.health()["status"] == "ok", "free again once the first has stopped"
    finally:
        again.stop()
