"""Spreadsheets like the agency's, for the import tests: XLSX and CSV with Indonesian headers."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.handlers.registration.conversation import NIK, OTHER_NIK

HEADER = [
    "No",
    "Nama Pemilik",
    "NIK",
    "No. WA",
    "Nama Usaha",
    "Alamat",
    "Kecamatan",
    "Kel/Desa",
    "Bidang Usaha",
    "KBLI",
    "NIB",
    "Omzet (Rp)",
    "Modal",
    "Tenaga Kerja",
    "Tahun Berdiri",
]
SITI = [1, "Siti Aminah", NIK, "0812-3456-7890", "Warung Bu Tini", "Jl. A. Yani Km. 5", "Landasan Ulin"]
SITI += ["Guntung Payung", "Kuliner", "56101", "", "150jt", 20_000_000, 3, 2019]
# Numbers as Excel keeps them: the phone without its leading zero, a year as a number.
BUDI = [2, "Budi Santoso", OTHER_NIK, 81255500002, "Bengkel Budi", "Jl. Melati No. 5", "Kec. Cempak"]
BUDI += ["Palam", "jasa", None, "1234567890123", 300_000_000, "50jt", "2 orang", "2015"]
# Wrong in four cells: a NIK cut short, a landline, a kecamatan that fits two, omzet in words.
ANI = [3, "Ani", "637202", "0511-123456", "Toko Ani", None, "Banjarbaru", None, "toko", None, None, "banyak"]
ANI += [None, None, None]
GOOD = [SITI, BUDI]
TITLE = ["DATA UMKM BINAAN DISKOPUMNAKER KOTA BANJARBARU 2024"]


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER) -> Path:
    """A workbook whose first sheet has a title row, the header, then `rows` (NIKs as text)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "UMKM"
    sheet.append(TITLE)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER) -> Path:
    """What Excel writes as "CSV (semicolon)" on an Indonesian Windows: Windows-1252, ";"."""
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(TITLE)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


WRITERS = {"xlsx": write_xlsx, "csv": write_csv}
