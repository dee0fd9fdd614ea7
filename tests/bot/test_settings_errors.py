"""A bad setting stops every command with exit status 2 and one line naming it and why, never a
traceback (README, "Settings"); the line never shows a password.

A real process shows the wiring (`umkm-bot db upgrade`, as the audit ran it); the other cases
call `bot.cli.main` in this process, with the environment `run_cli` gives a process.
"""

from __future__ import annotations

import logging
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from tests.bot.cli_helpers import run_cli
from tests.bot.conftest import free_port
from tests.conftest import TEST_SECRET_KEY, postgres_url
from tests.fakes import FakeTelegram

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


def refused_url() -> str:
    """PostgreSQL on a port of 127.0.0.1 nobody listens on."""
    return f"postgresql://umkm:{PASSWORD}@127.0.0.1:{free_port()}/umkm"


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


# A database that cannot be opened ---------------------------------------------------------------


def test_a_postgresql_server_that_refuses_the_connection_is_one_line_from_a_real_process(
    tmp_path: Path,
) -> None:
    result = run_cli(["db", "upgrade"], tmp_path / "data", DATABASE_URL=refused_url())
    assert "cannot connect to PostgreSQL at 127.0.0.1:" in one_line(result, "DATABASE_URL")


@pytest.mark.parametrize(
    "args",
    [["owners", "list"], ["chat"], ["run"], ["outbox", "run"], ["db", "backup", "-o", "copy.dump"]],
    ids=["officer-command", "chat", "run", "outbox-run", "db-backup"],
)
def test_every_command_stops_with_one_line_when_postgresql_refuses(cli: Cli, args: list[str]) -> None:
    result = cli(args, DATABASE_URL=refused_url(), TELEGRAM_BOT_TOKEN="123:TEST")  # outbox run needs one
    assert "cannot connect to PostgreSQL at 127.0.0.1:" in one_line(result, "DATABASE_URL")


@pytest.mark.postgresql
def test_a_login_postgresql_refuses_is_one_line(cli: Cli) -> None:
    pg = postgres_url()
    assert pg is not None
    url = make_url(pg).set(username=f"nobody_{uuid.uuid4().hex[:8]}", password=PASSWORD)
    result = cli(["db", "upgrade"], DATABASE_URL=url.render_as_string(hide_password=False))
    assert "cannot connect to PostgreSQL at" in one_line(result, "DATABASE_URL")


@pytest.mark.postgresql
def test_a_postgresql_database_that_does_not_exist_is_one_line(cli: Cli) -> None:
    pg = postgres_url()
    assert pg is not None
    name = f"umkm_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(pg).set(password=PASSWORD, database=name).render_as_string(hide_password=False)
    line = one_line(cli(["owners", "list"], DATABASE_URL=url), "DATABASE_URL")
    assert f'database "{name}" does not exist' in line


def test_an_sqlite_file_in_a_folder_that_cannot_be_created_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    url = f"sqlite:///{tmp_path / 'a-file' / 'umkm.sqlite3'}"
    line = one_line(cli(["db", "upgrade"], DATABASE_URL=url), "DATABASE_URL")
    assert (
        f"cannot create the folder {tmp_path / 'a-file'} of the SQLite database (it is not a folder)" in line
    )


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_an_sqlite_file_in_a_folder_nobody_may_write_in_is_one_line(cli: Cli) -> None:
    """/proc takes no new file, even from root (a chmod'ed folder would not stop root)."""
    line = one_line(cli(["db", "upgrade"], DATABASE_URL="sqlite:////proc/umkm.sqlite3"), "DATABASE_URL")
    assert "cannot open the SQLite database /proc/umkm.sqlite3 (unable to open database file)" in line


def test_an_sqlite_file_that_is_not_a_database_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "umkm.sqlite3").write_text("not a database, not even close to one\n" * 100)
    url = f"sqlite:///{tmp_path / 'umkm.sqlite3'}"
    for args in (["owners", "list"], ["db", "backup", "-o", str(tmp_path / "copy.sqlite3")]):
        line = one_line(cli(args, DATABASE_URL=url), "DATABASE_URL")
        assert f"cannot open the SQLite database {tmp_path / 'umkm.sqlite3'} (file is not a database)" in line


# DATA_DIR, where the embedded database and the generated secret key live -------------------------


@pytest.mark.parametrize("args", [["db", "upgrade"], ["run"]], ids=["db-upgrade", "run"])
def test_a_data_dir_that_is_a_file_is_one_line(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "data").write_text("not a folder\n")
    line = one_line(cli(args, HTTP_PORT=str(free_port())), "DATA_DIR")
    assert f"cannot create the folder {tmp_path / 'data'} of the SQLite database (it is not a folder)" in line


def test_restoring_into_a_data_dir_that_is_a_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "copy.sqlite3"
    assert cli(["db", "upgrade"], DATA_DIR=str(tmp_path / "first")).returncode == 0
    assert cli(["db", "backup", "-o", str(backup)]).returncode == 0
    (tmp_path / "data").write_text("not a folder\n")
    line = one_line(cli(["db", "restore", str(backup)], DATA_DIR=str(tmp_path / "data")), "DATA_DIR")
    assert f"cannot create the folder {tmp_path / 'data'} of the SQLite database (it is not a folder)" in line


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_restoring_into_an_sqlite_file_that_cannot_be_created_blames_the_database_not_the_backup(
    cli: Cli, tmp_path: Path
) -> None:
    backup = tmp_path / "copy.sqlite3"
    assert cli(["db", "upgrade"]).returncode == 0
    assert cli(["db", "backup", "-o", str(backup)]).returncode == 0
    result = cli(["db", "restore", str(backup)], DATABASE_URL="sqlite:////proc/umkm.sqlite3")
    line = one_line(result, "DATABASE_URL")
    assert "cannot open the SQLite database /proc/umkm.sqlite3 (unable to open database file)" in line


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_a_data_dir_that_cannot_be_created_without_a_secret_key_is_one_line(cli: Cli) -> None:
    """The audit's case: no SECRET_KEY, so one is generated into DATA_DIR, which /proc refuses."""
    line = one_line(cli(["db", "upgrade"], DATA_DIR="/proc/umkm-data", SECRET_KEY=""), "DATA_DIR")
    assert "cannot store a generated secret key in /proc/umkm-data (No such file or directory)" in line
    assert "set SECRET_KEY" in line


def test_a_data_dir_that_is_a_file_without_a_secret_key_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder\n")
    line = one_line(cli(["db", "upgrade"], SECRET_KEY=""), "DATA_DIR")
    assert f"cannot store a generated secret key in {tmp_path / 'data'} (it is not a folder)" in line


def test_an_empty_secret_key_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    """What a generation that could not write the key left behind before: an empty file."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_text("")
    line = one_line(cli(["owners", "list"], SECRET_KEY=""), "DATA_DIR")
    assert f"the secret key file {tmp_path / 'data' / 'secret_key'} is empty" in line


# AGENCY_PROFILE ------------------------------------------------------------------------------------


def test_an_agency_profile_that_is_not_utf8_is_one_line(cli: Cli, tmp_path: Path) -> None:
    profile = tmp_path / "dinas.toml"
    profile.write_bytes('name = "Dinas Koperasi Banjarbaru"\n'.encode("utf-16"))
    line = one_line(cli(["owners", "list"], AGENCY_PROFILE=str(profile)), "AGENCY_PROFILE")
    assert "codec can't decode" in line


# HTTP_HOST -----------------------------------------------------------------------------------------


def test_an_http_host_that_is_not_this_machines_names_http_host(cli: Cli) -> None:
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is nobody's address: binding it fails without any network.
    result = cli(["run"], HTTP_HOST="192.0.2.1", HTTP_PORT=str(free_port()))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # The console run prints how to connect a platform first; the reason is the last line.
    assert result.stderr.splitlines()[-1].startswith("umkm-bot: HTTP_HOST: cannot listen on 192.0.2.1:")


# Telegram ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["run"], ["outbox", "run"]], ids=["run", "outbox-run"])
def test_a_telegram_token_telegram_rejects_is_one_line_without_the_token(cli: Cli, args: list[str]) -> None:
    with FakeTelegram() as tg:
        tg.fail_next("getMe", status=401)
        result = cli(
            args,
            TELEGRAM_BOT_TOKEN=tg.token,
            TELEGRAM_API_BASE_URL=tg.api_base_url,
            HTTP_PORT=str(free_port()),
            LOG_LEVEL="WARNING",  # outbox run logs at INFO unless told
        )
    line = one_line(result, "TELEGRAM_BOT_TOKEN")
    assert line == "umkm-bot: TELEGRAM_BOT_TOKEN: Telegram rejected the token (Unauthorized)"
    assert tg.token not in result.stderr  # python-telegram-bot's own words repeat it


def test_a_webhook_url_telegram_refuses_is_one_line(cli: Cli) -> None:
    refusal = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    with FakeTelegram() as tg:
        tg.fail_next("setWebhook", status=400, description=refusal)
        result = cli(
            ["run"],
            TELEGRAM_BOT_TOKEN=tg.token,
            TELEGRAM_API_BASE_URL=tg.api_base_url,
            TELEGRAM_WEBHOOK_URL="http://umkm.example.go.id/webhooks/telegram",
            TELEGRAM_WEBHOOK_SECRET="webhook-secret-123",
            HTTP_PORT=str(free_port()),
        )
    line = one_line(result, "TELEGRAM_WEBHOOK_URL")
    # python-telegram-bot hands on Telegram's reason without "Bad Request: ", in lower case.
    assert "Telegram refused the webhook (Bad webhook: an https url must be provided" in line


@pytest.mark.parametrize("args", [["run"], ["outbox", "run"]], ids=["run", "outbox-run"])
def test_a_bot_api_nobody_answers_at_start_is_one_line_without_the_token(cli: Cli, args: list[str]) -> None:
    port = free_port()  # nobody listens there
    result = cli(
        args,
        TELEGRAM_BOT_TOKEN="123456:SECRET-token",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        HTTP_PORT=str(free_port()),
        LOG_LEVEL="WARNING",
    )
    line = one_line(result, "TELEGRAM_API_BASE_URL")
    assert line.startswith(
        f"umkm-bot: TELEGRAM_API_BASE_URL: cannot reach the Bot API at http://127.0.0.1:{port} ("
    )
    assert "SECRET-token" not in result.stderr
