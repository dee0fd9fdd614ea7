"""Reading the agency's spreadsheet for `owners import`: XLSX (openpyxl, read-only) or CSV (the
csv module), one row at a time, never the whole file in memory.

Columns are found by their header, written the way Indonesian offices write them ("Nama
Pemilik", "No. WA", "Kel/Desa", "Omzet (Rp)"): case, punctuation and a "(Rp)" do not matter.
The header may sit below a title row or two ("DATA UMKM BINAAN 2024"). A column the form
requires that the file lacks stops the import before any row is read (`MissingColumn`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Header names per form field, in order of preference when a file has two (a WhatsApp number
#: is the one an invitation needs, so "No. WA" wins over "No. HP").
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "full_name": ("nama pemilik", "nama", "nama lengkap", "nama pelaku usaha", "pemilik", "nama sesuai ktp"),
    "nik": ("nik", "no nik", "nomor nik", "nik pemilik", "no ktp", "nomor ktp", "nik ktp"),
    "phone": (
        "no wa",
        "nomor wa",
        "no whatsapp",
        "nomor whatsapp",
        "whatsapp",
        "wa",
        "no hp wa",
        "hp wa",
        "no hp",
        "nomor hp",
        "hp",
        "no handphone",
        "telepon",
        "no telepon",
        "nomor telepon",
        "telp",
        "no telp",
        "kontak",
    ),
    "business_name": ("nama usaha", "usaha", "nama toko", "nama umkm", "merek usaha"),
    "street": ("alamat", "alamat usaha", "alamat jalan", "alamat lengkap"),
    "district": ("kecamatan", "kec", "nama kecamatan"),
    "village": ("kelurahan desa", "kelurahan", "desa", "kel desa", "kel", "desa kelurahan", "nama kelurahan"),
    "sector": ("sektor", "bidang usaha", "sektor usaha", "bidang", "jenis usaha", "kategori usaha"),
    "kbli": ("kbli", "kode kbli", "kbli 2020"),
    "nib": ("nib", "no nib", "nomor nib", "nomor induk berusaha"),
    "annual_sales": (
        "omzet",
        "omset",
        "omzet setahun",
        "omzet per tahun",
        "omzet tahunan",
        "omset setahun",
        "omset per tahun",
        "penjualan tahunan",
        "hasil penjualan tahunan",
    ),
    "capital": (
        "modal",
        "modal aset",
        "modal usaha",
        "aset",
        "aset usaha",
        "modal usaha aset",
        "kekayaan bersih",
    ),
    "workers": (
        "tenaga kerja",
        "jumlah tenaga kerja",
        "jumlah tk",
        "tk",
        "karyawan",
        "jumlah karyawan",
        "pekerja",
        "jumlah pekerja",
    ),
    "year_started": ("tahun berdiri", "tahun mulai", "tahun mulai usaha", "mulai usaha", "berdiri sejak"),
}
#: The columns without which a row cannot become a registration that its owner can confirm.
REQUIRED = ("full_name", "nik", "phone", "business_name", "district")
_HEADER_SEARCH_ROWS = 20
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_RUPIAH_NOTE = re.compile(r"\(\s*rp\.?\s*\)|\brp\b\.?")
_DELIMITERS = ",;\t|"


class ImportFileError(Exception):
    """The file cannot be imported as it is; carries what to tell the officer."""


class UnreadableFile(ImportFileError):
    """The file cannot be read. `reason` names the officer's words (officer/import/unreadable):
    `missing`, `sheet_csv` (--sheet of a CSV file), `xls` (the old format), `format` (neither
    .xlsx nor .csv), `broken` (`detail`: the kind of error), `os` (`detail`: the system's reason)."""

    def __init__(self, path: Path, reason: str, detail: str | None = None) -> None:
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))
        self.path = path
        self.reason = reason
        self.detail = detail


class UnknownSheet(ImportFileError):
    def __init__(self, name: str, sheets: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.sheets = tuple(sheets)


class MissingColumn(ImportFileError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def header_key(text: object) -> str:
    """A header as compared: lower case, without accents, punctuation or a "(Rp)" note."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().casefold()
    return " ".join(_NOT_WORD.sub(" ", _RUPIAH_NOTE.sub(" ", folded)).split())


_PREFERENCE = {
    header_key(name): (field, rank) for field, names in COLUMNS.items() for rank, name in enumerate(names)
}


@dataclass(slots=True)
class Table:
    """The file's rows below its header: `columns` gives each recognised field's position and
    `titles` its header as the file writes it (the report names columns that way)."""

    columns: dict[str, int]
    titles: dict[str, str]
    header_row: int
    rows: Iterator[tuple[int, Sequence[Any]]]

    def cells(self, row: Sequence[Any]) -> dict[str, Any]:
        """One row's values by field (None where the row is shorter than the header)."""
        return {field: row[i] if i < len(row) else None for field, i in self.columns.items()}


def recognise(header: Sequence[Any]) -> tuple[dict[str, int], dict[str, str]]:
    """The fields a header row names: position and title of each, the preferred title winning."""
    best: dict[str, tuple[int, int]] = {}
    titles: dict[str, str] = {}
    for position, title in enumerate(header):
        found = _PREFERENCE.get(header_key(title))
        if found is None:
            continue
        field, rank = found
        if field not in best or rank < best[field][1]:
            best[field] = (position, rank)
            titles[field] = " ".join(str(title).split())
    return {field: position for field, (position, _rank) in best.items()}, titles


def _find_header(rows: Iterator[tuple[int, Sequence[Any]]]) -> Table:
    """The first of the first rows that names the most fields (a title row above is skipped)."""
    chosen: tuple[int, dict[str, int], dict[str, str]] | None = None
    for number, row in rows:
        columns, titles = recognise(row)
        if chosen is None or len(columns) > len(chosen[1]):
            chosen = (number, columns, titles)
        if len(columns) >= len(REQUIRED) or number >= _HEADER_SEARCH_ROWS:
            break
    if chosen is None:
        raise MissingColumn(REQUIRED[0])
    number, columns, titles = chosen
    for field in REQUIRED:
        if field not in columns:
            raise MissingColumn(field)
    return Table(columns, titles, number, rows)


@contextlib.contextmanager
def open_table(path: Path, sheet: str | None = None) -> Iterator[Table]:
    """The rows of an .xlsx or .csv file below its header, streamed."""
    suffix = path.suffix.casefold()
    if not path.is_file():
        raise UnreadableFile(path, "missing")
    if suffix in (".xlsx", ".xlsm"):
        with _xlsx_rows(path, sheet) as rows:
            yield _find_header(rows)
    elif suffix in (".csv", ".txt"):
        if sheet is not None:
            raise UnreadableFile(path, "sheet_csv")
        with _csv_rows(path) as rows:
            yield _find_header(rows)
    elif suffix == ".xls":
        raise UnreadableFile(path, "xls")
    else:
        raise UnreadableFile(path, "format")


@contextlib.contextmanager
def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - imported when used: see handlers/spreadsheet.py
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise UnreadableFile(path, "os", exc.strerror or str(exc)) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        raise UnreadableFile(path, "broken", type(exc).__name__) from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise UnknownSheet(sheet, workbook.sheetnames)
        yield _reading(path, enumerate(worksheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()


def _reading(path: Path, rows: Iterator[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows; the system failing to read the file partway is an unreadable file too."""
    try:
        yield from rows
    except OSError as exc:
        raise UnreadableFile(path, "os", exc.strerror or str(exc)) from None


@contextlib.contextmanager
def _csv_rows(path: Path) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    try:
        handle = path.open(encoding=_encoding(path), newline="")
    except OSError as exc:  # a file the officer may not read, say
        raise UnreadableFile(path, "os", exc.strerror or str(exc)) from None
    with handle:
        # The delimiter that is most used over the first lines (a title line may have none).
        sample = "".join(handle.readline() for _ in range(_HEADER_SEARCH_ROWS))
        handle.seek(0)
        counts = {d: sample.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        # Numbered by record, as a spreadsheet shows the file (a quoted cell may span lines).
        yield _reading(path, enumerate(csv.reader(handle, delimiter=delimiter), start=1))


def _encoding(path: Path) -> str:
    """UTF-8 (with or without Excel's BOM) when the whole file decodes as UTF-8; else Windows-1252,
    what Excel on Windows writes as "CSV (Comma delimited)". Read in chunks, not at once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"
