"""A training's participant list for officers: on screen or as a spreadsheet, and the dashboard's
lists page by page (the confirmed, the waiting list in order, who attended); each is audited (it
holds names and numbers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from handlers import exports
from handlers.agency import AgencyProfile
from handlers.rules import display_phone, region_name
from handlers.trainings.seats import subject
from storage.database import Database
from storage.models.trainings import CONFIRMED, OFFERED, WAITING
from storage.repositories import Transaction
from storage.repositories.training_reports import Participant

#: The dashboard's lists of a training: the statuses each shows, and whether only who attended.
LISTS: dict[str, tuple[tuple[str, ...], bool | None]] = {
    "confirmed": ((CONFIRMED,), None),
    "waiting": ((OFFERED, WAITING), None),
    "attended": ((CONFIRMED,), True),
}


def participant_row(
    participant: Participant, agency: AgencyProfile, statuses: Mapping[str, str], public_label: str
) -> list[Any]:
    """No, name, phone, registration number (or "public"), kecamatan, status, waiting position,
    signed up, attended, rating, comment, certificate number."""
    enrolment = participant.enrolment
    zone = agency.time_zone

    def local(at: Any) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at is not None else ""

    status = "attended" if enrolment.attended_at is not None else enrolment.status
    if enrolment.ended is not None and enrolment.status == "withdrawn":
        status = f"withdrawn_{enrolment.ended}"
    district = enrolment.district_code
    return [
        enrolment.queue_no,
        enrolment.full_name or "",
        display_phone(enrolment.phone) if enrolment.phone else "",
        participant.reg_no or (public_label if enrolment.public else ""),
        (region_name(district) or district) if district else "",
        statuses.get(status, status),
        participant.position or "",
        local(enrolment.signed_up_at),
        local(enrolment.attended_at),
        enrolment.rating or "",
        enrolment.comment or "",
        enrolment.certificate_no or "",
    ]


async def participant_rows(
    tx: Transaction, agency: AgencyProfile, training_id: int, statuses: Mapping[str, str], public_label: str
) -> AsyncIterator[list[Any]]:
    async for participant in tx.trainings.participants(training_id):
        yield participant_row(participant, agency, statuses, public_label)


#: The file `record_view` names for a list printed as CSV to standard output (to a pipe).
STANDARD_OUTPUT = "-"


async def record_view(
    tx: Transaction, *, officer: str, training_id: int, rows: int, file: str | None
) -> None:
    """The list in the audit log: shown (`file` None), or exported to the file named `file`
    (`STANDARD_OUTPUT`: printed as CSV)."""
    await tx.audit.record(
        actor=officer,
        action="training.participants_exported" if file is not None else "training.participants_viewed",
        subject=subject(training_id),
        details={"rows": rows, **({"file": file} if file is not None else {})},
    )


async def export_participants(
    db: Database,
    agency: AgencyProfile,
    *,
    officer: str,
    training_id: int,
    path: Path,
    file_format: str,
    sheet: str,
    headers: Sequence[str],
    statuses: Mapping[str, str],
    public_label: str,
) -> int:
    """Write the list to `path` (XLSX or CSV, from a snapshot: see handlers/exports.py); returns
    how many rows."""

    async def audit(tx: Transaction, count: int) -> None:
        await record_view(tx, officer=officer, training_id=training_id, rows=count, file=path.name)

    return await exports.export(
        db,
        path,
        file_format,
        sheet=sheet,
        headers=headers,
        rows=lambda tx: participant_rows(tx, agency, training_id, statuses, public_label),
        audit=audit,
    )


async def view_participants(
    tx: Transaction, *, officer: str, training_id: int, which: str, after: int | None, limit: int
) -> tuple[list[Participant], bool]:
    """A page of one of the training's lists (`LISTS`), in sign-up order after the sign-up numbered
    `after`, the waiting with their position; and whether more follow. Audited when it shows anyone."""
    statuses, attended = LISTS[which]
    rows = await tx.trainings.participant_page(
        training_id, statuses=statuses, attended=attended, after=after, limit=limit + 1
    )
    shown: list[Participant] = []
    position: int | None = None
    for enrolment, reg_no in rows[:limit]:
        if enrolment.status == WAITING:
            position = (
                position + 1 if position is not None else await tx.trainings.waiting_position(enrolment)
            )
        shown.append(Participant(enrolment, reg_no, position if enrolment.status == WAITING else None))
    if shown:
        await record_view(tx, officer=officer, training_id=training_id, rows=len(shown), file=None)
    return shown, len(rows) > limit
