"""The monthly reconciliation for paying the courier: every redemption of the month (agency
time) with what the agency pays for it, and the totals. Streamed; audited."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from handlers import exports
from handlers.officer import StaffContext
from handlers.rules import region_name
from handlers.vouchers import codes
from storage.database import Database
from storage.repositories import Transaction


class MonthError(ValueError):
    """Not a month like 2026-12."""


#: A month as officers type it: a four-digit year and a two-digit month (`27-01` is not January 2027).
MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_bounds(text: str, zone: ZoneInfo) -> tuple[date, datetime, datetime]:
    """`2026-12` -> its first day, and its start and end in UTC (agency time: WITA in Banjarbaru)."""

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    found = MONTH.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError(text)
        year, month = int(found[1]), int(found[2])
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        return first, start(first), start(following)
    except (ValueError, OverflowError):  # no such month, or one the calendar cannot hold (0001-01, 9999-12)
        raise MonthError(f"--month: not a month like 2026-12: {text!r}") from None


@dataclass(frozen=True, slots=True)
class Totals:
    redemptions: int
    ongkir: int
    paid: int


@dataclass(frozen=True, slots=True)
class ReportWords:
    """The report's sheet title, headers and the label of its totals row, from the officer's
    templates."""

    sheet: str
    headers: Sequence[str]
    total: str
    erased: str  # in place of the business name of an owner who erased their data


def report_words(ctx: StaffContext, month: str) -> ReportWords:
    """The report's words in the officer's language (the command's and the dashboard's), for the
    month (`2026-12`) it is of."""
    return ReportWords(
        sheet=ctx.text("vouchers/report_sheet", {"month": month}),
        headers=ctx.lines("vouchers/report_columns"),
        total=ctx.text("vouchers/report_total"),
        erased=ctx.text("vouchers/report_erased"),
    )


async def write_report(
    db: Database,
    output: Path,
    file_format: str,
    *,
    month: str,
    zone: ZoneInfo,
    words: ReportWords,
    courier_id: int | None,
    officer: str,
) -> Totals:
    """Write the month's redemptions to `output`, totals last (from a snapshot: see
    handlers/exports.py); a failed write leaves no file."""
    _first, start, end = month_bounds(month, zone)
    totals = [0, 0, 0]

    async def rows(tx: Transaction) -> AsyncIterator[list[Any]]:
        async for row in tx.vouchers.redemptions(start, end, courier_id):
            totals[0] += 1
            totals[1] += row.ongkir
            totals[2] += row.paid
            yield [
                codes.display(row.code),
                row.redeemed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                row.resi,
                row.ongkir,
                row.paid,
                row.business_name or words.erased,
                region_name(row.district_code or "") or row.district_code or "",
                row.program_name,
            ]
        yield [words.total, f"{totals[0]}", "", totals[1], totals[2], "", "", ""]

    async def audit(tx: Transaction, _rows: int) -> None:
        await tx.audit.record(
            actor=officer,
            action="voucher.report",
            subject=f"vouchers:{month}",
            details={"format": file_format, "rows": totals[0], "paid": totals[2], "courier": courier_id},
        )

    await exports.export(
        db, output, file_format, sheet=words.sheet, headers=words.headers, rows=rows, audit=audit
    )
    return Totals(*totals)
