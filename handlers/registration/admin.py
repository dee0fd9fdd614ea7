"""The officers' side of registration: the owners list and export, the NIB help queue, and
corrections (status, NIB verified) that the owner is told about.

Each function acts and writes the audit entry; the commands and the dashboard's pages only
parse and show.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from handlers import exports
from handlers.agency import AgencyProfile
from handlers.capability import OutboxKind
from handlers.officer import StaffContext
from handlers.outbox import queue_audience
from handlers.registration.service import subject
from handlers.rules import (
    SIZE_CLASSES,
    Ambiguous,
    display_phone,
    districts_of,
    mask_nik,
    match_region,
    read_size_class,
    region_name,
)
from handlers.types import Reply
from storage.crypto import Cipher
from storage.database import Database
from storage.models import Business, Owner
from storage.models.registration import BusinessStatus, OwnerSource
from storage.repositories import Transaction
from storage.repositories.audience import of_owner
from storage.repositories.registration import Breakdown, OwnerFilter

OFFICER_STATUSES = (BusinessStatus.ACTIVE, BusinessStatus.INACTIVE, BusinessStatus.CLOSED)


class UnknownDistrict(ValueError):
    """No kecamatan of the agency's area has that code or name."""


class UnknownSector(ValueError):
    """The agency profile has no sector with that id."""


def district_code(agency: AgencyProfile, wanted: str) -> str:
    """A kecamatan of the agency's area by Kemendagri code (63.72.02, 637202) or name (any case,
    "Kec." or not, a small typo forgiven; a name that fits two is refused)."""
    found = match_region(wanted, [d for regency in agency.regency_codes for d in districts_of(regency)])
    if found is None or isinstance(found, Ambiguous):
        raise UnknownDistrict(wanted)
    return found.code


def record_state(owner: Owner) -> str:
    """Where a registration stands, for officers: registered by chat, imported and confirmed by
    its owner, imported and waiting for them, or imported with a number someone said is wrong.
    A code; officer templates (`labels/record_state`) word it."""
    if owner.source != OwnerSource.IMPORT:
        return "chat"
    if owner.confirmed_at is not None:
        return "confirmed"
    return "wrong_number" if owner.wrong_number_at is not None else "unconfirmed"


def districts(agency: AgencyProfile) -> list[tuple[str, str]]:
    """(code, name) of every kecamatan of the agency's area, by name."""
    found = [(r.code, r.name) for regency in agency.regency_codes for r in districts_of(regency)]
    return sorted(found, key=lambda pair: pair[1])


def owner_filter(
    agency: AgencyProfile,
    *,
    kecamatan: str | None = None,
    sector: str | None = None,
    size_class: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> OwnerFilter:
    """Officers' filters checked against the agency's area and sectors (`UnknownDistrict`,
    `UnknownSector`, `ValueError`), and a search: digits are looked for in phone numbers
    (0812…, +62 812…, 62812…), anything else in names, business names and registration numbers."""
    district = district_code(agency, kecamatan) if kecamatan else None
    if sector and agency.sector(sector) is None:
        raise UnknownSector(sector)
    size = read_size_class(size_class) if size_class else None  # UnknownSizeClass: a ValueError
    if status and status not in {s.value for s in BusinessStatus}:
        raise ValueError(f"unknown status {status!r}")
    text, phone = _search_terms(search)
    return OwnerFilter(
        district_code=district,
        sector=sector or None,
        size_class=size,
        status=status or None,
        text=text,
        phone_digits=phone,
    )


_PHONE_LIKE = re.compile(r"\+?[\d\s().-]{6,}")


def _search_terms(search: str | None) -> tuple[str | None, str | None]:
    words = " ".join((search or "").split())[:100]
    if not words:
        return None, None
    if _PHONE_LIKE.fullmatch(words):
        digits = re.sub(r"\D", "", words)
        # Stored numbers are E.164 (+62812…): a national 0812… is 62812… there.
        return None, "62" + digits[1:] if digits.startswith("0") else digits
    return words, None


@dataclass(frozen=True, slots=True)
class ExportLabels:
    """The words of an export, from the officer's templates."""

    sheet: str
    headers: Sequence[str]
    sectors: Mapping[str, str]
    sizes: Mapping[str, str]
    statuses: Mapping[str, str]
    yes_no: Mapping[str, str]
    states: Mapping[str, str]


def export_labels(ctx: StaffContext) -> ExportLabels:
    """The owners export's words in the officer's language (the owners list's too)."""
    return ExportLabels(
        sheet=ctx.text("owners/sheet"),
        headers=ctx.lines("owners/columns"),
        sectors={s.id: s.name(ctx.locale) for s in ctx.agency.sectors},
        sizes=ctx.labels("labels/size_class"),
        statuses=ctx.labels("labels/business_status"),
        yes_no=ctx.labels("labels/yes_no"),
        states=ctx.labels("labels/record_state"),
    )


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
    registered = owner.registered_at.astimezone(agency.time_zone)
    confirmed = (
        owner.confirmed_at.astimezone(agency.time_zone).strftime("%Y-%m-%d") if owner.confirmed_at else ""
    )
    state = record_state(owner)
    return [
        owner.reg_no,
        registered.strftime("%Y-%m-%d"),
        owner.full_name,
        nik if with_nik else mask_nik(nik),
        display_phone(owner.phone) if owner.phone else "",
        business.name,
        labels.sectors.get(business.sector or "", business.sector),
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
        labels.states.get(state, state),
        confirmed,
    ]


async def export_owners(
    db: Database,
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
    """Write the registered businesses to `output` (streamed, from a snapshot: see
    handlers/exports.py) and audit the export; the NIK is masked unless `with_nik`. Raises
    `DecryptionError` (wrong SECRET_KEY) or `OSError`; a partial file is removed and nothing is
    audited."""

    async def rows(tx: Transaction) -> AsyncIterator[list[Any]]:
        async for owner, business in tx.owners.stream(where):
            yield export_row(owner, business, agency, tx.cipher, labels, with_nik=with_nik)

    async def audit(tx: Transaction, count: int) -> None:
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
                    "status": where.status,
                    "search": bool(where.text or where.phone_digits),
                },
            },
        )

    return await exports.export(
        db,
        output,
        file_format,
        sheet=labels.sheet,
        headers=labels.headers,
        rows=rows,
        audit=audit,
        progress=progress,
    )


class NoOpenRequest(LookupError):
    """The registration has no open NIB help request (`registered`), or does not exist."""

    def __init__(self, message: str, *, registered: bool) -> None:
        super().__init__(message)
        self.registered = registered


async def nib_help_done(tx: Transaction, reg_no: str, *, officer: str, now: datetime) -> str:
    """Mark an owner's NIB help request as handled; returns the registration number."""
    found = await tx.owners.by_reg_no(reg_no.strip().upper())
    if found is None:
        raise NoOpenRequest(f"no registration {reg_no!r}", registered=False)
    owner = found[0]
    if await tx.nib_queue.mark_done(owner.id, at=now, by=officer) == 0:
        raise NoOpenRequest(f"{owner.reg_no} has no open NIB help request", registered=True)
    await tx.audit.record(actor=officer, action="nib_help.done", subject=subject(owner))
    assert owner.reg_no is not None
    return owner.reg_no


class NoSuchOwner(LookupError):
    """No registered (not erased) business has that registration number."""


#: What the agency tells an owner about their own record (status set, NIB verified).
NOTICE = OutboxKind(
    "registration.notice",
    quiet_hours=True,
    whatsapp_template="announcement",
    messages=("registration/status_set", "registration/nib_verified"),
)


async def _registered(tx: Transaction, reg_no: str) -> tuple[Owner, Business]:
    found = await tx.owners.by_reg_no(reg_no.strip().upper())
    if found is None or found[0].deleted_at is not None:
        raise NoSuchOwner(f"no registration {reg_no!r}")
    return found


async def _tell_owner(tx: Transaction, owner: Owner, reply: Reply, key: str, now: datetime) -> int:
    return await queue_audience(
        tx, NOTICE, reply, of_owner(owner.id), key_prefix=f"{key}:user:", due_at=now, now=now
    )


async def set_business_status(
    tx: Transaction, reg_no: str, status: BusinessStatus, *, reason: str, officer: str, now: datetime
) -> tuple[Owner, Business]:
    """An officer marks a business active, inactive or closed, with the reason; audited, and the
    owner is told by chat (through the outbox) when the status changes."""
    reason = " ".join(reason.split())
    if not reason:
        raise NoReason("say why, in a few words")
    owner, business = await _registered(tx, reg_no)
    previous = business.status
    business.status = status
    await tx.audit.record(
        actor=officer,
        action="owner.status_set",
        subject=subject(owner),
        details={"from": str(previous), "to": str(status), "reason": reason},
    )
    if previous != status:
        reply = Reply(
            "registration/status_set", {"status": str(status), "reason": reason, "reg_no": owner.reg_no}
        )
        await _tell_owner(tx, owner, reply, f"owner-status:{owner.id}:{now.isoformat()}", now)
    return owner, business


class NoReason(ValueError):
    """A status is set with a reason, in a few words."""


class NoNib(ValueError):
    """The business has no NIB to verify."""


async def verify_nib(tx: Transaction, reg_no: str, *, officer: str, now: datetime) -> tuple[Owner, Business]:
    """An officer checked the NIB in OSS: it is marked verified (audited) and the owner told."""
    owner, business = await _registered(tx, reg_no)
    if not business.nib:
        raise NoNib(f"{owner.reg_no} has no NIB to verify")
    if business.nib_verified:
        return owner, business
    business.nib_verified = True
    await tx.audit.record(actor=officer, action="owner.nib_verified", subject=subject(owner))
    reply = Reply("registration/nib_verified", {"nib": business.nib, "reg_no": owner.reg_no})
    await _tell_owner(tx, owner, reply, f"nib-verified:{owner.id}", now)
    return owner, business


@dataclass(frozen=True, slots=True)
class OwnerView:
    """What the dashboard shows of one owner: the NIK masked (`nik`), or in clear once revealed."""

    owner: Owner
    business: Business
    nik: str
    nik_revealed: bool
    nib_help_open: bool


async def view_owner(tx: Transaction, owner_id: int, *, officer: str, reveal_nik: bool = False) -> OwnerView:
    """An officer opens an owner's details: audited as a view, or as a reveal of the NIK."""
    found = await tx.owners.get(owner_id)
    if found is None:
        raise NoSuchOwner(f"no registered owner {owner_id}")
    owner, business = found
    nik = tx.cipher.decrypt(owner.nik_ciphertext) if owner.nik_ciphertext else ""
    await tx.audit.record(
        actor=officer, action="owner.nik_revealed" if reveal_nik else "owner.viewed", subject=subject(owner)
    )
    open_request = await tx.nib_queue.open_for(owner.id) is not None
    return OwnerView(owner, business, nik if reveal_nik else mask_nik(nik), reveal_nik, open_request)


@dataclass(frozen=True, slots=True)
class RegistrationFigures:
    """The Ringkasan's registration figures: totals by size class, sector, kecamatan and status,
    and registrations per week (the last `weeks`, oldest first, weeks starting on Monday)."""

    total: int
    by_size: dict[str, int]
    by_sector: dict[str, int]
    by_district: dict[str, int]
    by_status: dict[str, int]
    weekly: list[tuple[date, int]]


def _tally(rows: Sequence[Breakdown], key: Callable[[Breakdown], str | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        name = key(row) or "-"
        counts[name] = counts.get(name, 0) + row.count
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


async def registration_figures(
    tx: Transaction, *, now: datetime, zone: Any, weeks: int = 12
) -> RegistrationFigures:
    rows = await tx.owners.breakdown()
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks + 1)]
    bounds = [datetime.combine(day, time(0, 0), tzinfo=zone) for day in starts]
    counts = await tx.owners.registered_between(bounds)
    by_size = _tally(rows, lambda r: r.size_class)
    return RegistrationFigures(
        total=sum(r.count for r in rows),
        by_size={s: by_size[s] for s in (*SIZE_CLASSES, "-") if s in by_size},
        by_sector=_tally(rows, lambda r: r.sector),
        by_district=_tally(rows, lambda r: r.district_code),
        by_status=_tally(rows, lambda r: r.status),
        weekly=list(zip(starts[:-1], counts, strict=True)),
    )
