"""`umkm-bot` as an officer or a new user runs it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.bot.cli_helpers import cli_env, run_cli
from tests.bot.conftest import Running, free_port


def database_env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url}


def test_halo_in_the_console_prints_the_indonesian_main_menu(tmp_path: Path) -> None:
    result = run_cli(["chat"], tmp_path / "data", stdin="halo\n")
    assert result.returncode == 0, result.stderr
    assert "Menu utama" in result.stdout
    assert "  1. " in result.stdout and "Bantuan" in result.stdout
    assert (tmp_path / "data" / "umkm.sqlite3").is_file()


def test_a_number_selects_the_numbered_choice(tmp_path: Path) -> None:
    result = run_cli(
        ["chat", "--user", "ani"], tmp_path / "data", stdin="halo\n4\n2\n"
    )  # 1 is "Daftar usaha", 2 the voucher, 3 "Pelatihan", 4 the language
    assert result.returncode == 0, result.stderr
    assert "I will use English" in result.stdout


def test_a_bad_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    result = run_cli(["chat"], tmp_path / "data", HTTP_PORT="not-a-port")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("umkm-bot: HTTP_PORT")


def test_a_whatsapp_token_without_its_other_settings_is_refused(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path / "data", WHATSAPP_ACCESS_TOKEN="x")
    assert result.returncode == 2
    assert "WHATSAPP_PHONE_NUMBER_ID" in result.stderr


def test_the_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_cli(["db", "upgrade"], data, SECRET_KEY="")
    assert first.returncode == 0, first.stderr
    assert "secret_key_generated" in first.stderr
    key = (data / "secret_key").read_text()
    assert len(key.strip()) >= 32 and oct((data / "secret_key").stat().st_mode)[-3:] == "600"
    second = run_cli(["db", "upgrade"], data, SECRET_KEY="")
    assert "secret_key_generated" not in second.stderr
    assert (data / "secret_key").read_text() == key


def test_db_upgrade_then_chat_on_the_configured_database(tmp_path: Path, database_url: str) -> None:
    env = database_env(database_url)
    assert run_cli(["db", "upgrade"], tmp_path / "data", **env).returncode == 0
    result = run_cli(["chat"], tmp_path / "data", stdin="halo\n", **env)
    assert result.returncode == 0, result.stderr
    assert "Menu utama" in result.stdout


def test_run_without_any_channel_explains_how_to_connect_and_serves_the_console(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path / "data", stdin="halo\n", HTTP_PORT=str(free_port()))
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "WHATSAPP_ACCESS_TOKEN" in result.stderr
    assert "Menu utama" in result.stdout


def test_run_without_any_channel_serves_the_dashboard_beside_the_console_until_its_input_ends(
    tmp_path: Path,
) -> None:
    """`make run` on a fresh machine: an agency trying the bot out gets the officers' side too."""
    port = free_port()
    data = tmp_path / "data"
    assert run_cli(["db", "upgrade"], data).returncode == 0
    bot = _console_run(tmp_path, port, stdout=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        health = Running(bot, port).health()
        assert health["status"] == "ok" and health["database"] == "ok"  # "ok" is the 200 answer
        login = httpx.get(f"{base}/dashboard/login", trust_env=False)
        assert login.status_code == 200 and 'name="password"' in login.text
        # One bot per SQLite file, the console's too.
        second = run_cli(["run"], data, HTTP_PORT=str(free_port()))
        assert second.returncode == 2 and "another 'umkm-bot run'" in second.stderr
        out, err = bot.communicate("halo\n", timeout=60)  # then the end of input
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    assert bot.returncode == 0, err
    assert "Menu utama" in out
    assert f"{base}/dashboard/login" in err and "officer add admin" in err


def test_a_signal_stops_the_console_run_while_it_waits_for_a_line(tmp_path: Path) -> None:
    port = free_port()
    bot = _console_run(tmp_path, port, stdout=subprocess.DEVNULL)  # stdin kept open: no line comes
    try:
        Running(bot, port).health()
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)  # stdin still open (communicate() would close it)
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        assert bot.stdin is not None and bot.stderr is not None
        bot.stdin.close()
        err = bot.stderr.read()
        bot.stderr.close()
    assert bot.returncode == 0, err


def test_a_port_in_use_stops_run_with_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli(["run"], tmp_path / "data", stdin="halo\n", HTTP_PORT=str(port))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"umkm-bot: HTTP_PORT: cannot listen on 127.0.0.1:{port}"
    )


def _console_run(tmp_path: Path, port: int, *, stdout: int) -> subprocess.Popen[str]:
    """`umkm-bot run` with no platform (the console chat beside the dashboard), its input a pipe
    (tests/bot/conftest.py's `run_bot` starts platform runs, with no input)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path / "data", HTTP_PORT=str(port)),
        cwd=tmp_path,
    )
