"""Bringing the agency's records in: good, bad and mixed files in XLSX and CSV, a second import of
the same file, a NIK registered already; on SQLite and (make test) on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.agency import AgencyProfile
from handlers.registration.import_file import MissingColumn, UnknownSheet, open_table
from handlers.registration.importing import Finding, ImportSummary, OwnerImport
from storage.database import Database
from storage.models import AuditEntry, Business, Owner
from tests.handlers.registration.conversation import NIK, OTHER_NIK, router_sender, to_summary
from tests.handlers.registration.imports import ANI, BUDI, GOOD, HEADER, SITI, WRITERS, write_csv, write_xlsx
from tests.storage.clear_text import stored_in_clear

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FORMATS = sorted(WRITERS)


async def run_import(
    db: Database, agency: AgencyProfile, path: Path, *, dry_run: bool = False, sheet: str | None = None
) -> tuple[ImportSummary, list[Finding]]:
    with open_table(path, sheet) as table:
        importer = OwnerImport(
            db, agency, officer="officer:test", now=NOW, today=date(2026, 11, 25), dry_run=dry_run, batch=2
        )
        findings = [f async for f in importer.run(table)]
    return importer.summary, findings


async def stored(db: Database) -> list[tuple[Any, ...]]:
    """Every owner and business as stored, in id order."""
    async with db.transaction() as tx:
        rows = await tx.session.execute(
            select(Owner, Business).join(Business, Business.owner_id == Owner.id).order_by(Owner.id)
        )
        return [
            (
                o.reg_no,
                o.full_name,
                o.phone,
                o.nik_index,
                o.source,
                o.user_id,
                o.confirmed_at,
                b.name,
                b.sector,
                b.kbli,
                b.district_code,
                b.village_code,
                b.street,
                b.year_started,
                b.workers,
                b.annual_sales,
                b.capital,
                b.size_class,
                b.nib,
                b.status,
            )
            for o, b in rows.all()
        ]


@pytest.mark.parametrize("file_format", FORMATS)
async def test_a_good_file_becomes_imported_unconfirmed_registrations(
    db: Database, agency: AgencyProfile, tmp_path: Path, file_format: str
) -> None:
    path = WRITERS[file_format](tmp_path / f"umkm.{file_format}", GOOD)
    summary, findings = await run_import(db, agency, path)
    assert (summary.read, summary.added, summary.rejected) == (2, 2, 0) and findings == []
    [siti, budi] = await stored(db)
    assert siti == (
        "BJB-2026-000001",
        "Siti Aminah",
        "+6281234567890",
        db.cipher.blind_index(NIK) if db.cipher else None,
        "import",
        None,  # no chat user until she writes from her number
        None,  # not confirmed
        "Warung Bu Tini",
        "kuliner",
        "56101",
        "63.72.02",
        "63.72.02.1004",
        "Jl. A. Yani Km. 5",
        2019,
        3,
        150_000_000,
        20_000_000,
        "micro",
        None,
        "unknown",  # belum diketahui until the owner confirms
    )
    assert budi[2] == "+6281255500002" and budi[10:12] == ("63.72.03", "63.72.03.1001")
    assert (budi[8], budi[13], budi[14], budi[16], budi[18]) == ("jasa", 2015, 2, 50_000_000, "1234567890123")
    # Sealed as in chat registration: never in clear in the database.
    assert not await stored_in_clear(db, NIK) and not await stored_in_clear(db, OTHER_NIK)
    async with db.transaction() as tx:
        owner = await tx.owners.by_reg_no("BJB-2026-000001")
        assert owner is not None and tx.cipher.decrypt(owner[0].nik_ciphertext or "") == NIK
        actions = (await tx.session.execute(select(AuditEntry.action, AuditEntry.subject))).all()
    assert sorted(actions) == [
        ("owner.imported", "owner:1"),
        ("owner.imported", "owner:2"),
        ("owners.imported", "owners"),
    ]


@pytest.mark.parametrize("file_format", FORMATS)
async def test_a_bad_file_stores_nothing_and_says_why_per_cell(
    db: Database, agency: AgencyProfile, tmp_path: Path, file_format: str
) -> None:
    path = WRITERS[file_format](tmp_path / f"umkm.{file_format}", [ANI])
    summary, findings = await run_import(db, agency, path)
    assert (summary.read, summary.added, summary.rejected) == (1, 0, 1)
    # Row 3 of the sheet: a title row and the header above it.
    assert [(f.row, f.field, f.outcome, f.key) for f in findings] == [
        (3, "nik", "rejected", "nik_format"),
        (3, "phone", "rejected", "phone_not_mobile"),
        (3, "district", "rejected", "district_ambiguous"),
        (3, "annual_sales", "rejected", "money_format"),
    ]
    assert findings[2].values == {"names": ["Banjarbaru Selatan", "Banjarbaru Utara"]}
    assert await stored(db) == []


@pytest.mark.parametrize("file_format", FORMATS)
async def test_a_mixed_file_imports_the_good_rows_whole_and_no_bad_row_in_part(
    db: Database, agency: AgencyProfile, tmp_path: Path, file_format: str
) -> None:
    twice = [4, "Siti Lagi", NIK, "0813-0000-0000", "Warung Dua", None, "Cempaka", None]
    twice += [None] * 7
    no_phone = [5, "Dewi", "6372034101950002", None, "Salon Dewi", None, "Cempaka", None, None, None, None]
    no_phone += [None] * 4
    path = WRITERS[file_format](tmp_path / f"umkm.{file_format}", [SITI, ANI, BUDI, twice, no_phone])
    summary, findings = await run_import(db, agency, path)
    assert summary.as_dict() == {"read": 5, "added": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    assert [(f.row, f.field, f.key) for f in findings if f.row != 4] == [
        (6, "nik", "nik_duplicate"),
        (7, "phone", "required"),  # no number: nobody could ever confirm it by chat
    ]
    assert findings[-2].values == {"row": 3}
    assert [row[1] for row in await stored(db)] == ["Siti Aminah", "Budi Santoso"]


@pytest.mark.parametrize("file_format", FORMATS)
async def test_importing_the_same_file_again_changes_nothing(
    db: Database, agency: AgencyProfile, tmp_path: Path, file_format: str
) -> None:
    path = WRITERS[file_format](tmp_path / f"umkm.{file_format}", [SITI, ANI, BUDI])
    await run_import(db, agency, path)
    before = await stored(db)
    summary, findings = await run_import(db, agency, path)
    assert summary.as_dict() == {"read": 3, "added": 0, "updated": 0, "unchanged": 2, "rejected": 1}
    assert [(f.row, f.outcome, f.values) for f in findings if f.outcome != "rejected"] == [
        (3, "unchanged", {"reg_no": "BJB-2026-000001", "fields": []}),
        (5, "unchanged", {"reg_no": "BJB-2026-000002", "fields": []}),
    ]
    assert await stored(db) == before


async def test_a_registered_nik_only_gets_its_empty_fields_filled(
    db: Database, agency: AgencyProfile, tmp_path: Path
) -> None:
    sparse = [1, "Siti Aminah", NIK, "0812-3456-7890", "Warung Bu Tini", None, "Landasan Ulin"]
    await run_import(db, agency, write_xlsx(tmp_path / "first.xlsx", [sparse + [None] * 8]))
    fuller = [
        1,
        "Siti A.",
        NIK,
        "0899-0000-1111",
        "Warung Lain",
        "Jl. Melati 5",
        "Landasan Ulin",
        "Guntung Payung",
    ]
    fuller += ["Kuliner", "56101", None, "150jt", "20jt", 3, 2019]
    summary, findings = await run_import(db, agency, write_xlsx(tmp_path / "second.xlsx", [fuller]))
    assert (summary.added, summary.updated) == (0, 1)
    [finding] = findings
    assert (finding.row, finding.field, finding.outcome) == (3, "nik", "updated")
    filled = ["village", "street", "sector", "kbli", "annual_sales", "capital", "workers", "year_started"]
    assert sorted(finding.values["fields"]) == sorted(filled)
    [row] = await stored(db)
    # Name, number and business name were there: kept as they were.
    assert row[1:3] == ("Siti Aminah", "+6281234567890") and row[7] == "Warung Bu Tini"
    assert (row[11], row[12], row[15], row[16], row[17]) == (
        "63.72.02.1004",
        "Jl. Melati 5",
        150_000_000,
        20_000_000,
        "micro",
    )
    async with db.transaction() as tx:
        details = await tx.session.scalar(
            select(AuditEntry.details).where(AuditEntry.action == "owner.updated")
        )
    assert details == {"fields": finding.values["fields"], "by": "import"}


async def test_a_nik_registered_by_chat_is_not_imported_twice(app: App, tmp_path: Path) -> None:
    send = router_sender(app.router, app.renderer, "console", "siti")
    await to_summary(send)
    await send("Simpan")
    before = await stored(app.db)
    summary, findings = await run_import(app.db, app.agency, write_csv(tmp_path / "umkm.csv", [SITI]))
    assert (summary.added, summary.unchanged) == (0, 1) and findings[0].key == "nik_registered"
    assert await stored(app.db) == before
    assert before[0][4:6] == ("chat", 1)


async def test_a_dry_run_checks_everything_and_stores_nothing(
    db: Database, agency: AgencyProfile, tmp_path: Path
) -> None:
    summary, findings = await run_import(
        db, agency, write_xlsx(tmp_path / "u.xlsx", [SITI, ANI]), dry_run=True
    )
    assert (summary.added, summary.rejected, len(findings)) == (1, 1, 4)
    assert await stored(db) == []
    async with db.transaction() as tx:
        assert (await tx.session.execute(select(AuditEntry))).first() is None


def test_a_missing_required_column_stops_before_any_row(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "No. WA"]
    path = write_xlsx(
        tmp_path / "u.xlsx", [[c for h, c in zip(HEADER, SITI, strict=True) if h != "No. WA"]], header=header
    )
    with pytest.raises(MissingColumn) as raised, open_table(path):
        pass
    assert raised.value.field == "phone"
    with pytest.raises(UnknownSheet) as unknown, open_table(path, "Data"):
        pass
    assert unknown.value.sheets == ("UMKM",)


def test_header_variants_are_recognised(tmp_path: Path) -> None:
    header = [
        "NAMA",
        "No. KTP",
        "Telepon",
        "Nama Toko",
        "kec.",
        "Desa",
        "Omset per tahun",
        "Modal/Aset",
        "Jumlah TK",
    ]
    path = write_csv(tmp_path / "u.csv", [], header=header)
    with open_table(path) as table:
        assert table.header_row == 2
        assert set(table.columns) == {
            "full_name",
            "nik",
            "phone",
            "business_name",
            "district",
            "village",
            "annual_sales",
            "capital",
            "workers",
        }
        assert table.titles["phone"] == "Telepon"
