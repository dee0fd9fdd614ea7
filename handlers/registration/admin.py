"""The officers' side of registration: the owners list and export, and the NIB help queue.

Each function acts and writes the audit entry; the commands (and later the dashboard)
only parse and show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from handlers import spreadsheet
from handlers.agency import AgencyProfile
from handlers.rules import display_phone, districts_of, mask_nik, region_name
from storage.crypto import Cipher
from storage.models import Business, Owner
from storage.repositories import Transaction
from storage.repositories.registration import OwnerFilter


class UnknownDistrict(ValueError):
    """No kecamatan of the agency's area has that code or name."""


def district_code(agency: AgencyProfile, wanted: str) -> str:
    """A kecamatan of the agency's area by Kemendagri code (63.72.02, 637202) or name."""
    key = wanted.strip().casefold()
    for regency in agency.regency_codes:
        for region in districts_of(regency):
            if key in (region.code, region.code.replace(".", ""), region.name.casefold()):
                return region.code
    raise UnknownDistrict(wanted)


@dataclass(frozen=True, slots=True)
class ExportLabels:
    """The words of an export, from the officer's templates."""

    headers: Sequence[str]
    sizes: Mapping[str, str]
    statuses: Mapping[str, str]
    yes_no: Mapping[str, str]


def export_row(
    owner: Owner,
    business: Business,
    agency: AgencyProfile,
    cipher: Cipher,
    labels: ExportLabels,
    *,
    with_nik: bool,
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
        labels.sizes.get(business.size_class or "", business.size_class),
        business.nib or "",
        labels.yes_no["yes" if business.nib_verified else "no"],
        labels.statuses.get(business.status, business.status),
    ]


async def export_owners(
    tx: Transaction,
    output: Path,
    file_format: str,
    *,
    agency: AgencyProfile,
    labels: ExportLabels,
    where: OwnerFilter,
    with_nik: bool,
    officer: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the registered businesses to `output` (streamed) and audit the export; the NIK is
    masked unless `with_nik`. Raises `DecryptionError` (wrong SECRET_KEY) or `OSError`; a
    partial file is removed and, the transaction rolling back, nothing is audited."""

    async def rows() -> AsyncIterator[list[Any]]:
        async for owner, business in tx.owners.stream(where):
            yield export_row(owner, business, agency, tx.cipher, labels, with_nik=with_nik)

    count = await spreadsheet.write(
        output, file_format, sheet="Pelaku Usaha", headers=labels.headers, rows=rows(), progress=progress
    )
    await tx.audit.record(
        actor=officer,
        action="owners.export_with_nik" if with_nik else "owners.export",
        subject="owners",
        details={
            "format": file_format,
            "rows": count,
            "with_nik": with_nik,
            "filters": {
                "kecamatan": where.district_code,
                "sector": where.sector,
                "size_class": where.size_class,
            },
        },
    )
    return count


class NoOpenRequest(LookupError):
    """The registration has no open NIB help request (or does not exist)."""


async def nib_help_done(tx: Transaction, reg_no: str, *, officer: str, now: datetime) -> str:
    """Mark an owner's NIB help request as handled; returns the registration number."""
    found = await tx.owners.by_reg_no(reg_no.strip().upper())
    if found is None:
        raise NoOpenRequest(f"no registration {reg_no!r}")
    owner = found[0]
    if await tx.nib_queue.mark_done(owner.id, at=now, by=officer) == 0:
        raise NoOpenRequest(f"{owner.reg_no} has no open NIB help request")
    await tx.audit.record(actor=officer, action="nib_help.done", subject=f"owner:{owner.id}")
    assert owner.reg_no is not None
    return owner.reg_no
