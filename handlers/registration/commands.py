"""`umkm-bot owners list|export`: registered businesses for officers (export is an audited action)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bot.officer.common import OfficerError, agency_of, officer_name, open_database
from bot.settings import Settings
from handlers.agency import AgencyProfile
from handlers.rules import display_phone, districts_of, mask_nik, region_name
from storage.crypto import Cipher, DecryptionError
from storage.models import Business, Owner
from storage.repositories.registration import OwnerFilter

SIZE_CLASSES = ("micro", "small", "medium", "large")
SIZE_NAMES_ID = {"micro": "Mikro", "small": "Kecil", "medium": "Menengah", "large": "Besar"}
STATUS_NAMES_ID = {"active": "Aktif", "inactive": "Tidak aktif", "unknown": "Belum diketahui"}
# Owners type names and addresses: a cell starting with one of these would be a formula in Excel.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Column headers of the export, in Indonesian: officers open it in Excel.
HEADERS = (
    "No. Pendaftaran",
    "Tanggal Daftar",
    "Nama Pemilik",
    "NIK",
    "No. HP",
    "Nama Usaha",
    "Bidang Usaha",
    "KBLI",
    "Kecamatan",
    "Kelurahan/Desa",
    "Alamat Jalan",
    "Tahun Mulai Usaha",
    "Tenaga Kerja",
    "Omzet Setahun (Rp)",
    "Modal Usaha (Rp)",
    "Skala Usaha",
    "NIB",
    "NIB Terverifikasi",
    "Status",
)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    owners = subparsers.add_parser("owners", help="registered businesses (list, export)")
    commands = owners.add_subparsers(dest="owners_command", required=True)
    listing = commands.add_parser("list", help="list registered businesses")
    _add_filters(listing)
    export = commands.add_parser("export", help="export registered businesses to a file (audited)")
    export.add_argument(
        "--format", choices=("xlsx", "csv"), default="xlsx", help="file format (default xlsx)"
    )
    export.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    export.add_argument(
        "--with-nik", action="store_true", help="include full NIKs (recorded in the audit log)"
    )
    _add_filters(export)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kecamatan", help="district: Kemendagri code (63.72.02) or name (Landasan Ulin)")
    parser.add_argument("--sector", help="sector id from the agency profile (kuliner, jasa, ...)")
    parser.add_argument("--size-class", choices=SIZE_CLASSES, help="size class under PP 7/2021")


def _filter(args: argparse.Namespace, agency: AgencyProfile) -> OwnerFilter:
    district = None
    if args.kecamatan:
        wanted = args.kecamatan.strip().casefold()
        for regency in agency.regency_codes:
            for region in districts_of(regency):
                if wanted in (region.code, region.code.replace(".", ""), region.name.casefold()):
                    district = region.code
        if district is None:
            raise OfficerError(f"unknown kecamatan {args.kecamatan!r} in the agency's area")
    if args.sector and agency.sector(args.sector) is None:
        known = ", ".join(s.id for s in agency.sectors)
        raise OfficerError(f"unknown sector {args.sector!r}; known: {known}")
    return OwnerFilter(district_code=district, sector=args.sector, size_class=args.size_class)


def row(
    owner: Owner, business: Business, agency: AgencyProfile, cipher: Cipher, *, with_nik: bool
) -> list[Any]:
    nik = cipher.decrypt(owner.nik_ciphertext) if owner.nik_ciphertext else ""
    sector = agency.sector(business.sector or "")
    registered = owner.registered_at.astimezone(agency.time_zone)
    return [
        owner.reg_no,
        registered.strftime("%Y-%m-%d"),
        owner.full_name,
        nik if with_nik else mask_nik(nik),
        display_phone(owner.phone) if owner.phone else "",
        business.name,
        sector.name_id if sector else business.sector,
        business.kbli or "",
        region_name(business.district_code or "") or business.district_code,
        region_name(business.village_code or "") or business.village_code,
        business.street,
        business.year_started,
        business.workers,
        business.annual_sales,
        business.capital,
        SIZE_NAMES_ID.get(business.size_class or "", business.size_class),
        business.nib or "",
        "Ya" if business.nib_verified else "Belum",
        STATUS_NAMES_ID.get(business.status, business.status),
    ]


async def run(args: argparse.Namespace, settings: Settings) -> None:
    agency = agency_of(settings)
    where = _filter(args, agency)
    async with open_database(settings) as db:
        if args.owners_command == "list":
            await _list(db, agency, where)
        else:
            await _export(db, agency, where, args)


async def _list(db: Any, agency: AgencyProfile, where: OwnerFilter) -> None:
    count = 0
    async with db.transaction() as tx:
        async for owner, business in tx.owners.stream(where):
            district = region_name(business.district_code or "") or "-"
            size = business.size_class or "-"
            print(
                f"{owner.reg_no}\t{business.name}\t{owner.full_name}\t{district}\t{business.sector}\t{size}"
            )
            count += 1
    print(f"{count} registered business(es)", file=sys.stderr)


async def _export(db: Any, agency: AgencyProfile, where: OwnerFilter, args: argparse.Namespace) -> None:
    output: Path = args.output
    if not output.parent.is_dir():
        raise OfficerError(f"no such directory: {output.parent}")
    _not_a_directory(output)
    async with db.transaction() as tx:
        rows = (
            row(owner, business, agency, tx.cipher, with_nik=args.with_nik)
            async for owner, business in tx.owners.stream(where)
        )
        try:
            count = await (_write_xlsx(output, rows) if args.format == "xlsx" else _write_csv(output, rows))
        except BaseException as exc:
            # A partial export holds personal data and has no audit entry (this transaction rolls back).
            _remove_partial(output)
            if isinstance(exc, DecryptionError):
                raise OfficerError("SECRET_KEY: the stored NIKs cannot be decrypted with this key") from None
            if isinstance(exc, OSError):
                raise OfficerError(f"cannot write {output}: {exc.strerror or exc}") from None
            raise
        await tx.audit.record(
            actor=officer_name(),
            action="owners.export_with_nik" if args.with_nik else "owners.export",
            subject="owners",
            details={
                "format": args.format,
                "rows": count,
                "with_nik": bool(args.with_nik),
                "filters": {
                    "kecamatan": where.district_code,
                    "sector": where.sector,
                    "size_class": where.size_class,
                },
            },
        )
    print(f"exported {count} row(s) to {output}", file=sys.stderr)


def _not_a_directory(output: Path) -> None:
    if output.is_dir():
        raise OfficerError(f"{output} is a directory; name a file to write")


def _remove_partial(output: Path) -> None:
    with contextlib.suppress(OSError):
        output.unlink()


async def _write_xlsx(path: Path, rows: Any) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Pelaku Usaha")
    sheet.append(list(HEADERS))
    count = 0
    async for values in rows:
        sheet.append(values)
        count += 1
        if count % 1000 == 0:
            print(f"{count} rows...", file=sys.stderr)
    workbook.save(path)
    return count


def _csv_cell(value: Any) -> Any:
    """A text that Excel would read as a formula (= + - @ first) is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


async def _write_csv(path: Path, rows: Any) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        async for values in rows:
            writer.writerow([_csv_cell(v) for v in values])
            count += 1
    return count
