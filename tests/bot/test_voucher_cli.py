"""`umkm-bot voucher …` and `umkm-bot courier …`: programs, the counter's fallback redemption
(exactly once, even from 20 processes at once), the monthly report. Each test runs the command
as a real process where the wiring shows (exit status, one line on stderr, a file written), and
the rest in process (`officer_cli`), which reports the same."""

from __future__ import annotations

import asyncio
import csv
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.app import App
from bot.settings import Settings
from handlers.vouchers import codes
from storage.models import AuditEntry, Voucher, VoucherProgram
from tests.bot.cli_helpers import cli_env, officer_cli, run_cli
from tests.handlers.update_round.test_update_round import choose
from tests.handlers.vouchers.helpers import register


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


async def _programme_and_voucher(app: App, settings: Settings) -> str:
    assert "KURIR" in _ok(await officer_cli(app, settings, ["courier", "add", "--name", "JNE Banjarbaru"]))
    added = await officer_cli(
        app,
        settings,
        [
            "voucher",
            "program",
            "add",
            "--name",
            "Gratis Ongkir 2026",
            "--courier",
            "jne banjarbaru",
            "--quota",
            "500",
            "--max-ongkir",
            "Rp25.000",
            "--size-class",
            "mikro,kecil",
            "--kecamatan",
            "Landasan Ulin",
        ],
    )
    assert _ok(added).strip() == "1", added
    owner = await register(app, "ani")
    await owner.send(choose(await owner.send("menu"), "Voucher gratis ongkir"))
    async with app.db.transaction() as tx:
        program = (await tx.session.execute(select(VoucherProgram))).scalar_one()
        code = (await tx.session.execute(select(Voucher.code))).scalar_one()
    assert (program.max_ongkir, program.size_classes, program.districts) == (
        25_000,
        ["micro", "small"],
        ["63.72.02"],
    )
    return codes.display(code)


async def test_redeem_once_then_every_refusal_is_one_line(
    app: App, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    code = await _programme_and_voucher(app, settings)
    first = run_cli(
        ["voucher", "redeem", code.lower(), "--resi", "JNE001", "--ongkir", "18rb"], tmp_path / "d", **env
    )
    assert "ditukar" in _ok(first) and "Rp18.000" in first.stdout
    again = run_cli(
        ["voucher", "redeem", code, "--resi", "JNE002", "--ongkir", "18000"], tmp_path / "d", **env
    )
    assert again.returncode != 0 and "sudah dipakai" in again.stderr and "JNE001" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    unknown = await officer_cli(
        app,
        settings,
        ["voucher", "redeem", codes.display(codes.new_code()), "--resi", "JNE000001", "--ongkir", "1rb"],
    )
    assert unknown.returncode != 0 and "tidak dikenal" in unknown.stderr
    bad = await officer_cli(
        app, settings, ["voucher", "redeem", code, "--resi", "JNE000001", "--ongkir", "banyak"]
    )
    assert bad.returncode == 2 and bad.stderr.startswith("umkm-bot: --ongkir")


async def test_twenty_processes_redeem_one_code_once(
    app: App, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    code = await _programme_and_voucher(app, settings)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "voucher",
            "redeem",
            code,
            "--resi",
            f"JNE{n:04d}",
            "--ongkir",
            "20rb",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=cli_env(tmp_path / "d", **env),
            cwd=tmp_path,
        )
        for n in range(20)
    ]
    finished = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), timeout=120)
    results = [
        (p.returncode, out.decode(), err.decode()) for p, (out, err) in zip(processes, finished, strict=True)
    ]
    succeeded = [out for status, out, _ in results if status == 0]
    refused = [err for status, _, err in results if status != 0]
    assert len(succeeded) == 1, results
    assert len(refused) == 19 and all("sudah dipakai" in err for err in refused), refused
    async with app.db.transaction() as tx:
        redeemed = (
            (await tx.session.execute(select(AuditEntry).where(AuditEntry.action == "voucher.redeemed")))
            .scalars()
            .all()
        )
    assert len(redeemed) == 1


async def test_pause_resume_close_and_the_program_list(
    app: App, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    code = await _programme_and_voucher(app, settings)
    paused = run_cli(
        ["voucher", "program", "pause", "1", "--reason", "Pembaruan data", "--void-issued"],
        tmp_path / "d",
        **env,
    )
    # Ani chats on the console, which the outbox cannot reach: nobody is told, and it says so.
    assert "1 voucher belum terpakai dibatalkan, 0 pemegang yang masih bisa memakainya" in _ok(paused)
    listed = _ok(await officer_cli(app, settings, ["voucher", "program", "list"]))
    assert "Gratis Ongkir 2026\tJNE Banjarbaru\tDihentikan sementara\tterbit 1/500" in listed
    voided = await officer_cli(
        app, settings, ["voucher", "redeem", code, "--resi", "JNE000001", "--ongkir", "1rb"]
    )
    assert voided.returncode != 0 and "dibatalkan" in voided.stderr and "Pembaruan data" in voided.stderr
    assert "berjalan lagi" in _ok(await officer_cli(app, settings, ["voucher", "program", "resume", "1"]))
    assert "berakhir" in _ok(await officer_cli(app, settings, ["voucher", "program", "close", "1"]))
    refused = await officer_cli(app, settings, ["voucher", "program", "pause", "9", "--reason", "x"])
    assert refused.returncode == 2
    async with app.db.transaction() as tx:
        actions = (await tx.session.execute(select(AuditEntry.action))).scalars().all()
    assert {"voucher_program.paused", "voucher_program.resumed", "voucher_program.closed"} <= set(actions)


async def test_the_monthly_report_counts_agency_time_and_pays_at_most_the_max(
    app: App, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    code = await _programme_and_voucher(app, settings)
    _ok(
        await officer_cli(
            app,
            settings,
            ["voucher", "redeem", code, "--resi", "JNE000009", "--ongkir", "40rb", "--owner-pays-rest"],
        )
    )
    # 23:30 WITA on 30 November is still November for the agency (15:30 UTC).
    async with app.db.transaction() as tx:
        await tx.session.execute(
            update(Voucher).values(redeemed_at=datetime(2026, 11, 30, 15, 30, tzinfo=UTC))
        )
    xlsx = tmp_path / "rekon.xlsx"
    written = run_cli(
        ["voucher", "report", "--month", "2026-11", "--format", "xlsx", "-o", str(xlsx)],
        tmp_path / "d",
        **env,
    )
    assert "1 penukaran" in _ok(written) + written.stderr
    rows = list(load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:5] == (
        "Kode Voucher",
        "Waktu Penukaran (WITA)",
        "No. Resi",
        "Ongkir (Rp)",
        "Dibayar Dinas (Rp)",
    )
    assert rows[1][:7] == (
        code,
        "2026-11-30 23:30",
        "JNE000009",
        40_000,
        25_000,
        "Warung Bu Tini",
        "Landasan Ulin",
    )
    assert rows[2][0] == "JUMLAH" and rows[2][3:5] == (40_000, 25_000)
    december = tmp_path / "des.csv"
    _ok(
        await officer_cli(
            app, settings, ["voucher", "report", "--month", "2026-12", "--format", "csv", "-o", str(december)]
        )
    )
    lines = list(csv.reader(december.read_text(encoding="utf-8-sig").splitlines()))
    assert len(lines) == 2 and lines[1][0] == "JUMLAH" and lines[1][4] == "0"
    bad = await officer_cli(app, settings, ["voucher", "report", "--month", "November", "-o", str(xlsx)])
    assert bad.returncode == 2 and "--month" in bad.stderr
    # Year 27 is not January 2027; a month the calendar cannot end is no month either: one line, no file.
    for typo in ("27-01", "9999-12"):
        typed = tmp_path / f"{typo}.csv"
        bad = await officer_cli(
            app, settings, ["voucher", "report", "--month", typo, "--format", "csv", "-o", str(typed)]
        )
        assert bad.returncode == 2, bad.stderr
        assert bad.stderr == f"umkm-bot: --month: bukan bulan seperti 2026-12: “{typo}”\n"
        assert not typed.exists()
