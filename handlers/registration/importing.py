"""Bringing the agency's records in (impor data pelaku usaha): `umkm-bot owners import`.

The file is read row by row (`import_file`), each row checked with the chat registration's rules
(`import_rows`), and the good rows written in batches, a transaction each (so the bot's own
conversations go on between batches, and a stopped import is finished by running it again):

- a NIK nobody registered becomes a new registration: imported, not yet confirmed, no chat user,
  a registration number like any other, status "belum diketahui" until its owner confirms it;
- a NIK already registered (by chat or an earlier import) only fills that registration's empty
  fields, and is reported (so importing the same file twice changes nothing the second time);
- a NIK twice in the file is imported once; the later row is reported.

NIKs are sealed exactly as in chat registration (AES-GCM, found by the blind index) and never
leave this module in clear: not in the database, the report, nor a log line.

What the officer reads comes out as `Finding`s (row, column, outcome, reason key and values):
every rejected row, every row whose NIK was registered already; the command words them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import Any

from handlers.agency import AgencyProfile
from handlers.registration.import_file import Table
from handlers.registration.import_rows import Record, RowChecker
from handlers.registration.service import registration_number
from handlers.rules import size_class
from storage.crypto import Cipher
from storage.database import Database
from storage.models import Business, Owner
from storage.models.registration import BusinessStatus, OwnerSource
from storage.repositories import Transaction
from storage.repositories.imports import NewRecord

log = logging.getLogger(__name__)

REJECTED, UPDATED, UNCHANGED = "rejected", "updated", "unchanged"
BATCH = 500
_OWNER_FIELDS = {"full_name": "full_name", "phone": "phone"}
# Business column -> form field, in the order a report names them.
_BUSINESS_FIELDS = {
    "name": "business_name",
    "sector": "sector",
    "kbli": "kbli",
    "district_code": "district",
    "village_code": "village",
    "street": "street",
    "year_started": "year_started",
    "workers": "workers",
    "annual_sales": "annual_sales",
    "capital": "capital",
    "nib": "nib",
}

_BUSINESS_COLUMNS = {name: column for column, name in _BUSINESS_FIELDS.items()}


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the officer must read about one row."""

    row: int
    field: str | None
    outcome: str  # rejected | updated | unchanged
    key: str
    values: dict[str, Any] = dataclass_field(default_factory=dict)


@dataclass(slots=True)
class ImportSummary:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass(frozen=True, slots=True)
class _Good:
    row: int
    index: str  # the NIK's blind index
    record: Record


class OwnerImport:
    """One run of an import; `run(table)` yields the findings, `summary` counts as it goes."""

    def __init__(
        self,
        db: Database,
        agency: AgencyProfile,
        *,
        officer: str,
        now: datetime,
        today: date,
        dry_run: bool = False,
        batch: int = BATCH,
        progress: Callable[[ImportSummary], None] | None = None,
    ) -> None:
        if db.cipher is None:
            raise RuntimeError("this database was opened without a cipher (SECRET_KEY)")
        self.db = db
        self.agency = agency
        self.cipher: Cipher = db.cipher
        self.officer = officer
        self.now = now
        self.dry_run = dry_run
        self.batch = batch
        self.progress = progress
        self.summary = ImportSummary()
        self._checker = RowChecker(agency, today)
        self._year = now.astimezone(agency.time_zone).year
        # The blind index's first 64 bits -> the row that brought the NIK: a second row with it is
        # reported. An int rather than the 64-character index keeps 100,000 rows at about 9 MB, not
        # 20; two different NIKs sharing 64 bits among 100,000 happens once in about 10^9 files.
        self._seen: dict[int, int] = {}

    async def run(self, table: Table) -> AsyncIterator[Finding]:
        good: list[_Good] = []
        findings: list[Finding] = []
        for number, row in table.rows:
            cells = table.cells(row)
            if all(value is None or str(value).strip() == "" for value in cells.values()):
                continue
            self.summary.read += 1
            findings.extend(self._check(number, cells, good))
            if len(good) >= self.batch:
                for finding in await self._write(good, findings):
                    yield finding
                good, findings = [], []
            if self.progress is not None and self.summary.read % 10_000 == 0:
                self.progress(self.summary)
        for finding in await self._write(good, findings):
            yield finding
        if not self.dry_run:
            await self._audit(table)

    def _check(self, number: int, cells: dict[str, Any], good: list[_Good]) -> list[Finding]:
        checked = self._checker.check(cells)
        if isinstance(checked, list):
            self.summary.rejected += 1
            return [Finding(number, p.field, REJECTED, p.key, dict(p.values)) for p in checked]
        index = self.cipher.blind_index(checked.nik)
        first = self._seen.setdefault(int(index[:16], 16), number)
        if first != number:
            self.summary.rejected += 1
            return [Finding(number, "nik", REJECTED, "nik_duplicate", {"row": first})]
        good.append(_Good(number, index, checked))
        return []

    async def _write(self, good: list[_Good], findings: list[Finding]) -> list[Finding]:
        """One batch in one transaction; returns the batch's findings in row order."""
        if good:
            # A dry run writes nothing: it reads in a snapshot and never holds SQLite's writer.
            async with self.db.snapshot() if self.dry_run else self.db.transaction() as tx:
                found = await tx.imports.registered([g.index for g in good])
                new = [g for g in good if g.index not in found]
                added = {} if self.dry_run else await self._add(tx, new)
                for g in new:
                    if g.index not in added and not self.dry_run:
                        # Registered by chat between the lookup and the insert.
                        found.update(await tx.imports.registered([g.index]))
                self.summary.added += len(new) if self.dry_run else len(added)
                for g in good:
                    if g.index in found:
                        findings.append(await self._fill_empty(tx, g, *found[g.index]))
        return sorted(findings, key=lambda f: f.row)

    async def _add(self, tx: Transaction, new: list[_Good]) -> dict[str, int]:
        if not new:
            return {}
        last = await tx.counters.advance(f"registration:{self._year}", len(new))
        records = [
            NewRecord(
                nik_index=g.index,
                owner={
                    "full_name": g.record.full_name,
                    "nik_ciphertext": self.cipher.encrypt(g.record.nik),
                    "nik_index": g.index,
                    "phone": g.record.phone,
                    "reg_no": registration_number(self.agency.code, self._year, last - len(new) + 1 + i),
                    "registered_at": self.now,
                    "updated_at": self.now,
                    "source": OwnerSource.IMPORT.value,
                },
                business={
                    **g.record.business,
                    "nib_verified": False,
                    "status": BusinessStatus.UNKNOWN.value,
                },
            )
            for i, g in enumerate(new)
        ]
        return await tx.imports.add(records, actor=self.officer, at=self.now)

    async def _fill_empty(self, tx: Transaction, good: _Good, owner: Owner, business: Business) -> Finding:
        """A NIK registered already: only what its registration lacks is taken from the row."""
        filled = _empty_fields(owner, business, good.record)
        values = {"reg_no": owner.reg_no, "fields": [name for name, _ in filled]}
        if not filled:
            self.summary.unchanged += 1
            return Finding(good.row, "nik", UNCHANGED, "nik_registered", values)
        self.summary.updated += 1
        if not self.dry_run:
            for name, value in filled:
                if name in _OWNER_FIELDS:
                    setattr(owner, name, value)
                else:
                    setattr(business, _BUSINESS_COLUMNS[name], value)
            if (
                business.size_class is None
                and business.capital is not None
                and business.annual_sales is not None
            ):
                business.size_class = size_class(business.capital, business.annual_sales)
            owner.updated_at = self.now
            await tx.owners.save(owner)
            await tx.audit.record(
                actor=self.officer,
                action="owner.updated",
                subject=f"owner:{owner.id}",
                details={"fields": values["fields"], "by": "import"},
            )
        return Finding(good.row, "nik", UPDATED, "nik_registered", values)

    async def _audit(self, table: Table) -> None:
        async with self.db.transaction() as tx:
            await tx.audit.record(
                actor=self.officer,
                action="owners.imported",
                subject="owners",
                details={**self.summary.as_dict(), "columns": sorted(table.columns)},
            )
        log.info("owners.imported", extra=self.summary.as_dict())


def _empty_fields(owner: Owner, business: Business, record: Record) -> list[tuple[str, Any]]:
    """(form field, value) of each field the registration lacks and the row has."""
    filled: list[tuple[str, Any]] = []
    for column, name in _OWNER_FIELDS.items():
        value = getattr(record, column)
        if getattr(owner, column) is None and value is not None:
            filled.append((name, value))
    same_district = business.district_code in (None, record.business.get("district_code"))
    for column, name in _BUSINESS_FIELDS.items():
        value = record.business.get(column)
        if column == "village_code" and not same_district:
            continue  # a kelurahan of another kecamatan than the one registered
        if getattr(business, column) is None and value is not None:
            filled.append((name, value))
    return filled
