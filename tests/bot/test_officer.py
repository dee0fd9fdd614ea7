"""Officer commands: owners list/export (audited) and the NIB help queue, as real processes
(the officer's language in process)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from storage.models import AuditEntry
from tests.bot.cli_helpers import run_cli
from tests.handlers.registration.conversation import NIK, OTHER_NIK, router_sender, to_summary
from tests.handlers.trainings.helpers import Clock, Officer


async def _register_two(app: App) -> None:
    for user, nik in (("ani", NIK), ("budi", OTHER_NIK)):
        send = router_sender(app.router, app.renderer, "console", user)
        await to_summary(send, nik)
        await send("1")


async def test_export_xlsx_has_one_row_per_business_and_indonesian_headers(
    app: App, database_url: str, tmp_path: Path
) -> None:
    await _register_two(app)
    out = tmp_path / "pelaku.xlsx"
    env = {"DATABASE_URL": database_url}
    result = run_cli(["owners", "export", "--format", "xlsx", "-o", str(out)], tmp_path / "data", **env)
    assert result.returncode == 0, result.stderr
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("No. Pendaftaran", "Tanggal Daftar", "Nama Pemilik", "NIK")
    assert len(rows) == 3 and all(str(r[0]).startswith("BJB-") for r in rows[1:])
    assert {r[3] for r in rows[1:]} == {"6372********0003", "6372********0001"}
    assert NIK.encode() not in out.read_bytes()

    with_nik = run_cli(
        ["owners", "export", "--format", "csv", "--with-nik", "-o", str(tmp_path / "p.csv")],
        tmp_path / "data",
        **env,
    )
    assert with_nik.returncode == 0, with_nik.stderr
    assert NIK in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    async with app.db.transaction() as tx:
        actions = (await tx.session.execute(select(AuditEntry.action, AuditEntry.details))).all()
    exports = [(a, d["rows"]) for a, d in actions if a.startswith("owners.export")]
    assert exports == [("owners.export", 2), ("owners.export_with_nik", 2)]


async def test_owners_list_filters_and_the_nib_queue(app: App, database_url: str, tmp_path: Path) -> None:
    await _register_two(app)
    env = {"DATABASE_URL": database_url}
    listed = run_cli(
        ["owners", "list", "--kecamatan", "Landasan Ulin", "--size-class", "micro"], tmp_path / "d", **env
    )
    assert listed.returncode == 0 and listed.stdout.count("Warung Bu Tini") == 2
    # The sector and the size class in the officer's words, as the export writes them, not ids.
    first = listed.stdout.splitlines()[0].split("\t")
    assert first[3:6] == ["Landasan Ulin", "Kuliner (makanan & minuman)", "Mikro"]
    assert run_cli(["owners", "list", "--size-class", "small"], tmp_path / "d", **env).stdout.strip() == ""
    bad = run_cli(["owners", "list", "--kecamatan", "Mars"], tmp_path / "d", **env)
    assert (
        bad.returncode == 2
        and bad.stderr
        == "umkm-bot: --kecamatan: kecamatan “Mars” tidak ada di wilayah Diskopumnaker Banjarbaru\n"
    )
    queue = run_cli(["nib-queue", "list"], tmp_path / "d", **env)
    assert "2 permintaan terbuka" in queue.stdout
    reg_no = queue.stdout.split("\t", 1)[0]
    assert run_cli(["nib-queue", "done", reg_no], tmp_path / "d", **env).returncode == 0
    assert "1 permintaan terbuka" in run_cli(["nib-queue", "list"], tmp_path / "d", **env).stdout
    again = run_cli(["nib-queue", "done", reg_no], tmp_path / "d", **env)
    assert again.returncode == 2


async def test_the_list_and_the_export_name_the_sector_and_size_in_the_officers_language(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    await _register_two(app)
    for locale, sector, size in (
        ("id", "Kuliner (makanan & minuman)", "Mikro"),
        ("en", "Food & beverages", "Micro"),
    ):
        officer = Officer(app.db, app.agency, settings.model_copy(update={"officer_locale": locale}), Clock())
        listed = (await officer.run("owners", "list")).splitlines()[0].split("\t")
        assert listed[4:6] == [sector, size], locale
        out = tmp_path / f"pelaku-{locale}.csv"
        await officer.run("owners", "export", "-o", str(out))
        [header, row, _] = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        assert sector in row and size in row, (locale, dict(zip(header, row, strict=True)))
