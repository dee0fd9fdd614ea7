"""`umkm-bot officer add|list|disable|reset-password` as real processes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from handlers.dashboard.accounts import password_matches
from storage.database import Database
from storage.models import AuditEntry, OfficerAccount
from tests.bot.cli_helpers import run_cli


async def test_the_first_admin_then_a_courier_then_list_disable_and_reset(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    data = tmp_path / "data"
    added = run_cli(
        ["officer", "add", "Admin", "--role", "admin", "--password-stdin"],
        data,
        stdin="rahasia-sekali-1\n",
        **env,
    )
    assert added.returncode == 0, added.stderr
    assert "Akun admin (admin) dibuat" in added.stdout
    assert run_cli(["courier", "add", "--name", "Kurir Banua"], data, **env).returncode == 0
    courier = run_cli(
        ["officer", "add", "kurir1", "--role", "courier", "--courier", "kurir banua", "--password-stdin"],
        data,
        stdin="rahasia-kurir-1\n",
        **env,
    )
    assert courier.returncode == 0, courier.stderr
    assert "Akun kurir1 (kurir) dibuat" in courier.stdout
    listed = run_cli(["officer", "list"], data, **env)
    assert listed.stdout.splitlines() == [
        "admin\tadmin\t-\taktif\t-",
        "kurir1\tkurir\tKurir Banua\taktif\t-",
    ]
    assert run_cli(["officer", "disable", "kurir1"], data, **env).returncode == 0
    assert "kurir1\tkurir\tKurir Banua\tnonaktif" in run_cli(["officer", "list"], data, **env).stdout
    english = {**env, "OFFICER_LOCALE": "en"}
    assert "kurir1\tcourier\tKurir Banua\tdisabled" in run_cli(["officer", "list"], data, **english).stdout
    officer = run_cli(
        ["officer", "add", "ani", "--role", "officer", "--password-stdin"],
        data,
        stdin="rahasia-petugas-1\n",
        **english,
    )
    assert "Account ani (officer) created" in officer.stdout, officer.stderr
    assert "ani\tpetugas\t-\taktif\t-" in run_cli(["officer", "list"], data, **env).stdout
    reset = run_cli(
        ["officer", "reset-password", "admin", "--password-stdin"], data, stdin="baru-sekali-12\n", **env
    )
    assert reset.returncode == 0, reset.stderr
    async with db.transaction() as tx:
        admin = await tx.session.scalar(select(OfficerAccount).where(OfficerAccount.username == "admin"))
        actions = list(
            (await tx.session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars()
        )
    assert admin is not None and admin.password_hash.startswith("$argon2")
    assert await password_matches(admin.password_hash, "baru-sekali-12")
    assert actions == [
        "account.added",
        "courier.link_code",
        "account.added",
        "account.disabled",
        "account.added",
        "account.password_reset",
    ]


async def test_bad_input_exits_2_with_one_line(db: Database, database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url}
    data = tmp_path / "data"
    cases = [
        (
            ["officer", "add", "ani", "--role", "officer", "--password-stdin"],
            "pendek\n",
            "kata sandi minimal 10 karakter",
        ),
        (["officer", "add", "ani", "--role", "officer"], "", "--password-stdin"),
        (
            ["officer", "add", "ani", "--role", "courier", "--password-stdin"],
            "rahasia-sekali-1\n",
            "--courier: akun kurir perlu nama mitra kurirnya (--courier NAMA)",
        ),
        (
            ["officer", "add", "ani", "--role", "courier", "--courier", "Siapa", "--password-stdin"],
            "rahasia-sekali-1\n",
            "--courier: tidak ada mitra kurir “Siapa”; tambahkan dulu: umkm-bot courier add --name NAMA",
        ),
        (
            ["officer", "add", "a b", "--role", "officer", "--password-stdin"],
            "rahasia-sekali-1\n",
            "nama pengguna “a b” tidak bisa dipakai",
        ),
        (["officer", "disable", "siapa"], "", "tidak ada akun siapa"),
    ]
    for args, stdin, expected in cases:
        result = run_cli(args, data, stdin=stdin, **env)
        assert result.returncode == 2, args
        assert result.stderr.startswith("umkm-bot: ") and expected in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    twice = ["officer", "add", "ani", "--role", "officer", "--password-stdin"]
    assert run_cli(twice, data, stdin="rahasia-sekali-1\n", **env).returncode == 0
    assert "akun ani sudah ada" in run_cli(twice, data, stdin="rahasia-sekali-1\n", **env).stderr
