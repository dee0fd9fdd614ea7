"""`umkm-bot` as an officer or a new user runs it."""

from __future__ import annotations

from pathlib import Path

from tests.bot.cli_helpers import run_cli


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
    result = run_cli(["run"], tmp_path / "data", stdin="halo\n")
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "WHATSAPP_ACCESS_TOKEN" in result.stderr
    assert "Menu utama" in result.stdout
