"""`umkm-bot owners import` and `owners invite` as real processes: exit codes, the report file, what
the outbox holds; the import and invitation themselves are tested in tests/handlers/registration/."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from storage.models import OutboxMessage
from tests.bot.cli_helpers import run_cli
from tests.handlers.registration.conversation import NIK
from tests.handlers.registration.imports import ANI, BUDI, HEADER, SITI, write_csv, write_xlsx


async def test_import_writes_its_report_and_says_what_it_did(
    app: App, database_url: str, tmp_path: Path
) -> None:
    source = write_xlsx(tmp_path / "umkm.xlsx", [SITI, ANI, BUDI])
    report = tmp_path / "laporan.xlsx"
    env = {"DATABASE_URL": database_url}
    dry = run_cli(["owners", "import", str(source), "--dry-run"], tmp_path / "data", **env)
    assert dry.returncode == 0, dry.stderr
    assert "Uji coba" in dry.stderr and "2 baru" in dry.stderr
    assert dry.stdout.startswith("4\tNIK\tDitolak\tNIK harus 16 angka")  # row 4, as the sheet numbers it

    done = run_cli(["owners", "import", str(source), "--report", str(report)], tmp_path / "data", **env)
    assert done.returncode == 0, done.stderr
    assert "3 baris dibaca: 2 baru" in done.stderr and "1 ditolak" in done.stderr and done.stdout == ""
    rows = list(load_workbook(report, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("Baris", "Kolom", "Hasil", "Keterangan")
    assert rows[1:] == [
        (4, "NIK", "Ditolak", rows[1][3]),
        (
            4,
            "No. WA",
            "Ditolak",
            "bukan nomor HP (nomor telepon rumah/kantor, atau awalan yang tidak dipakai operator)",
        ),
        (
            4,
            "Kecamatan",
            "Ditolak",
            "kecamatan bisa berarti Banjarbaru Selatan atau Banjarbaru Utara: tulis namanya lengkap",
        ),
        (4, "Omzet (Rp)", "Ditolak", "bukan satu jumlah rupiah (contoh: 150000000, 150jt, Rp 1,5 miliar)"),
    ]
    assert NIK.encode() not in report.read_bytes()
    listed = run_cli(["owners", "list"], tmp_path / "data", **env)
    assert listed.stdout.count("Impor, belum dikonfirmasi") == 2

    again = run_cli(["owners", "import", str(source)], tmp_path / "data", **env)
    assert "0 baru" in again.stderr and "2 sudah terdaftar tanpa perubahan" in again.stderr
    assert "NIK sudah terdaftar (BJB-2026-000001); tidak ada yang berubah" in again.stdout


def test_a_missing_column_or_a_file_it_cannot_read_is_one_line(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "NIK"]
    source = write_csv(tmp_path / "umkm.csv", [], header=header)
    missing = run_cli(["owners", "import", str(source)], tmp_path / "data")
    assert missing.returncode == 2
    assert missing.stderr.startswith("umkm-bot: kolom wajib tidak ada: NIK (judul kolom yang dikenali: nik,")
    assert len(missing.stderr.strip().splitlines()) == 1
    old = tmp_path / "umkm.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    unreadable = run_cli(["owners", "import", str(old)], tmp_path / "data")
    assert unreadable.returncode == 2 and "format .xls yang lama; simpan sebagai .xlsx" in unreadable.stderr
    sheet = run_cli(
        ["owners", "import", str(write_xlsx(tmp_path / "u.xlsx", [SITI])), "--sheet", "Data"], tmp_path / "d"
    )
    assert sheet.returncode == 2 and sheet.stderr.strip().endswith("yang ada: UMKM")


async def test_invite_queues_one_template_invitation_per_imported_number(
    app: App, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    imported = run_cli(
        ["owners", "import", str(write_xlsx(tmp_path / "u.xlsx", [SITI, BUDI]))], tmp_path / "d", **env
    )
    assert imported.returncode == 0, imported.stderr
    dry = run_cli(["owners", "invite", "--dry-run"], tmp_path / "d", **env)
    assert dry.returncode == 0 and "menjangkau 2 pelaku usaha" in dry.stdout
    only_cempaka = run_cli(["owners", "invite", "--kecamatan", "Cempaka", "--dry-run"], tmp_path / "d", **env)
    assert "menjangkau 1 pelaku usaha" in only_cempaka.stdout

    sent = run_cli(["owners", "invite", "--only-unconfirmed"], tmp_path / "d", **env)
    assert sent.returncode == 0 and "Undangan diantrekan untuk 2 pelaku usaha" in sent.stdout
    again = run_cli(["owners", "invite"], tmp_path / "d", **env)
    assert "Undangan diantrekan untuk 0 pelaku usaha (2 terjangkau" in again.stdout
    async with app.db.transaction() as tx:
        rows = (await tx.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    assert [(r.channel, r.external_id, r.user_id, r.kind) for r in rows] == [
        ("whatsapp", "6281234567890", None, "registration.invite"),
        ("whatsapp", "6281255500002", None, "registration.invite"),
    ]
    # The invitation names nobody and shows no data: only the number's holder reads it.
    assert rows[0].payload == rows[1].payload and "Siti" not in str(rows[0].payload)
    bad = run_cli(["owners", "invite", "--kecamatan", "Mars"], tmp_path / "d", **env)
    assert bad.returncode == 2 and bad.stderr.startswith("umkm-bot: --kecamatan: kecamatan “Mars” tidak ada")
