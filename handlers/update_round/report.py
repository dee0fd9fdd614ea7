"""A round's figures (pembaruan data): answers by kecamatan and size class, the invitations and
reminders sent, and the results export. The command prints them; the dashboard draws them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers import exports
from handlers.agency import AgencyProfile
from handlers.rules import SIZE_CLASSES, region_name
from handlers.update_round.planner import INVITATION, REMINDER, key_prefix
from storage.database import Database
from storage.models.outbox import SENT
from storage.models.update_round import ACTIVE, CLOSED, NO_RESPONSE, UpdateRound
from storage.repositories import Transaction
from storage.repositories.update_rounds import WAITING, StatsRow

OUTCOMES = (ACTIVE, CLOSED, NO_RESPONSE, WAITING)


Counts = dict[str, int]


@dataclass(frozen=True, slots=True)
class RoundReport:
    """Counts per outcome by kecamatan ("63.72.02 Landasan Ulin", or "-"), by size class (code
    or "-", in size order) and in total."""

    by_district: dict[str, Counts]
    by_size: dict[str, Counts]
    totals: Counts

    @property
    def answered(self) -> int:
        return sum(n for outcome, n in self.totals.items() if outcome != WAITING)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def round_report(rows: Sequence[StatsRow]) -> RoundReport:
    by_district: dict[str, Counts] = defaultdict(lambda: defaultdict(int))
    by_size: dict[str, Counts] = defaultdict(lambda: defaultdict(int))
    totals: Counts = defaultdict(int)
    for row in rows:
        district = (
            f"{row.district_code} {region_name(row.district_code) or ''}".strip()
            if row.district_code
            else "-"
        )
        by_district[district][row.outcome] += row.count
        by_size[row.size_class or "-"][row.outcome] += row.count
        totals[row.outcome] += row.count
    ordered_sizes = sorted(
        by_size, key=lambda s: (SIZE_CLASSES.index(s) if s in SIZE_CLASSES else len(SIZE_CLASSES), s)
    )
    return RoundReport(
        by_district={k: dict(v) for k, v in sorted(by_district.items())},
        by_size={s: dict(by_size[s]) for s in ordered_sizes},
        totals={o: totals[o] for o in OUTCOMES},
    )


@dataclass(frozen=True, slots=True)
class RoundMessages:
    """The round's chat messages: invitations and reminders sent, and still waiting to go."""

    invitations_sent: int
    reminders_sent: int
    waiting: int


async def round_messages(tx: Transaction, round_id: int) -> RoundMessages:
    counts = await tx.outbox.kind_counts(key_prefix(round_id))
    return RoundMessages(
        invitations_sent=counts.get((INVITATION.name, SENT), 0),
        reminders_sent=counts.get((REMINDER.name, SENT), 0),
        waiting=sum(n for (_, status), n in counts.items() if status in ("pending", "leased")),
    )


async def export_round(
    db: Database,
    round_row: UpdateRound,
    output: Path,
    *,
    agency: AgencyProfile,
    sheet: str,
    headers: Sequence[str],
    outcomes: Mapping[str, str],
    sizes: Mapping[str, str],
    officer: str,
) -> int:
    """Every answer of a round (streamed XLSX, from a snapshot: see handlers/exports.py) and the
    export in the audit log."""

    async def rows(tx: Transaction) -> AsyncIterator[list[Any]]:
        async for answer, owner, business in tx.update_rounds.stream_answers(round_row.id):
            yield [
                owner.reg_no if owner else "",
                business.name if business else "",
                region_name(answer.district_code or "") or answer.district_code,
                sizes.get(answer.size_class or "", answer.size_class),
                outcomes.get(answer.outcome, answer.outcome),
                answer.answered_at.astimezone(agency.time_zone).strftime("%Y-%m-%d %H:%M"),
                answer.reason or "",
            ]

    async def audit(tx: Transaction, count: int) -> None:
        await tx.audit.record(
            actor=officer,
            action="update_round.export",
            subject=f"update_round:{round_row.id}",
            details={"rows": count},
        )

    return await exports.export(db, output, "xlsx", sheet=sheet, headers=headers, rows=rows, audit=audit)
