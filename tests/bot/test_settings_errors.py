"""A bad setting stops every command with exit status 2 and one line naming it and why, never a
traceback (README, "Settings"); the line never shows a password.

A real process shows the wiring (`umkm-bot db upgrade`, as the audit ran it); the other cases
call `bot.cli.main` in this process, with the environment `run_cli` gives a process.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.cli_helpers import run_cli
from tests.conftest import TEST_SECRET_KEY

PASSWORD = "rahasia-Dinas-2026"

Cli = Callable[..., subprocess.CompletedProcess[str]]
# The loggers bot.logs.configure_logging sets a level on.
CONFIGURED_LOGGERS = ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "asyncio")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """`umkm-bot ARGS` in this process, in `tmp_path` (no .env), as `run_cli` runs a process."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in CONFIGURED_LOGGERS}
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "WHATSAPP_", "DATABASE_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)

    def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(args)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    yield run
    # main() configures logging for a process: give the rest of the suite its own back.
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in levels.items():
        logging.getLogger(name).setLevel(was)


def one_line(result: subprocess.CompletedProcess[str], setting: str) -> str:
    """Exit status 2 and stderr one line, `umkm-bot: SETTING: …`, without the password."""
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith(f"umkm-bot: {setting}: "), line
    assert PASSWORD not in result.stderr + result.stdout
    return line


# DATABASE_URL the program cannot use ----------------------------------------------------------


def test_a_mysql_database_url_is_one_line_from_a_real_process(tmp_path: Path) -> None:
    result = run_cli(["db", "upgrade"], tmp_path / "data", DATABASE_URL=f"mysql://umkm:{PASSWORD}@db/umkm")
    line = one_line(result, "DATABASE_URL")
    assert "unsupported database 'mysql'" in line and "postgresql://" in line


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"oracle://umkm:{PASSWORD}@db/umkm", "unsupported database 'oracle'"),
        ("umkm.sqlite3", "not a database URL"),
        (f"postgresql://umkm:{PASSWORD}@db:port/umkm", "not a database URL"),
        (f"postgresql+psycopg2://umkm:{PASSWORD}@db/umkm", "the driver 'psycopg2' is not shipped"),
        ("sqlite+pysqlite:///umkm.sqlite3", "the driver 'pysqlite' is not shipped"),
        (f"postgresql://umkm:{PASSWORD}@db/umkm?sslmode=require", "no connection parameter 'sslmode'"),
    ],
    ids=["unknown-database", "not-a-url", "bad-port", "psycopg2", "pysqlite", "sslmode"],
)
def test_a_database_url_the_program_cannot_use_is_one_line(cli: Cli, url: str, reason: str) -> None:
    assert reason in one_line(cli(["db", "upgrade"], DATABASE_URL=url), "DATABASE_URL")
