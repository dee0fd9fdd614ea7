"""Opening a round, and the planner that reminds owners who have not answered.

Reminders go at 09:00 agency time 7, 3 and 1 days before the deadline. A reminder
whose time passed while the bot was down is still sent when it is back, but only the
latest one that is due (nobody gets three at once), and none after the deadline:
then the round closes and non-responders are marked "tidak merespons".
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.agency import AgencyProfile
from handlers.capability import OutboxKind
from handlers.context import HandlerConfig
from handlers.outbox import queue_audience
from handlers.types import Reply
from storage.database import Database
from storage.models.update_round import UpdateRound
from storage.repositories import Transaction
from storage.repositories.update_rounds import round_keys

log = logging.getLogger(__name__)

REMINDER_DAYS = (7, 3, 1)
REMINDER_TIME = time(9, 0)

#: The question to every registered owner when a round opens.
INVITATION = OutboxKind(
    "update_round.invitation",
    quiet_hours=True,
    whatsapp_template="announcement",
    messages=("update_round/invitation",),
)
#: 7, 3 and 1 days before the deadline, to those who have not answered.
REMINDER = OutboxKind(
    "update_round.reminder",
    quiet_hours=True,
    whatsapp_template="reminder",
    messages=("update_round/reminder",),
)


def key_prefix(round_id: int, user_id: int | None = None) -> str:
    """Dedupe keys of a round's messages start with this: `update-round:3:user:42:h-7`."""
    return round_keys(round_id, user_id)


def _audience_keys(round_id: int) -> str:
    return f"{key_prefix(round_id)}user:"


def reminder_times(deadline: date, zone: ZoneInfo) -> list[tuple[int, datetime]]:
    """(days before, UTC time) of each reminder of a round."""
    return [
        (days, datetime.combine(deadline - timedelta(days=days), REMINDER_TIME, tzinfo=zone).astimezone(UTC))
        for days in REMINDER_DAYS
    ]


def deadline_end(deadline: date, zone: ZoneInfo) -> datetime:
    """The round is open through the whole deadline day, agency time."""
    return datetime.combine(deadline + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(UTC)


def due_reminder(
    deadline: date, zone: ZoneInfo, now: datetime, opened_at: datetime | None = None
) -> int | None:
    """Days-before of the latest reminder that is due at `now`, or None (none yet, or too late).
    A reminder whose time came before the round was opened (`opened_at`) is not one of its own."""
    if now >= deadline_end(deadline, zone):
        return None
    due = [
        days
        for days, at in reminder_times(deadline, zone)
        if at <= now and (opened_at is None or at > opened_at)
    ]
    return min(due) if due else None


class DeadlineInPast(ValueError):
    """A round's deadline is today or later."""


class RoundStillOpen(ValueError):
    """A round is open already (`id`, until `deadline`): one round at a time."""

    def __init__(self, current: UpdateRound) -> None:
        super().__init__(f"round {current.id} is still open (deadline {current.deadline.isoformat()})")
        self.id = current.id
        self.deadline = current.deadline


def check_deadline(deadline: date, today: date) -> date:
    if deadline < today:
        raise DeadlineInPast(f"{deadline.isoformat()} is in the past")
    return deadline


async def open_round(
    tx: Transaction, *, officer: str, deadline: date, note: str | None, now: datetime
) -> tuple[UpdateRound, int]:
    """Open a round and queue the question to every registered owner; returns the round and how many.
    Raises `RoundStillOpen` when a round is still open; callers check the deadline (`check_deadline`)."""
    current = await tx.update_rounds.current()
    if current is not None:
        raise RoundStillOpen(current)
    round_row = await tx.update_rounds.open(opened_by=officer, deadline=deadline, note=note, now=now)
    invitation = Reply("update_round/invitation", {"deadline": deadline, "note": note})
    queued = await queue_audience(
        tx,
        INVITATION,
        invitation,
        tx.update_rounds.unanswered_audience(round_row.id),
        key_prefix=_audience_keys(round_row.id),
        key_suffix=":invite",
        due_at=now,
        now=now,
    )
    await tx.audit.record(
        actor=officer,
        action="update_round.opened",
        subject=f"update_round:{round_row.id}",
        details={"deadline": deadline.isoformat(), "invited": queued},
    )
    return round_row, queued


class UpdateRoundPlanner:
    """Runs every few minutes (and at start-up): queues due reminders, closes rounds past the deadline."""

    name = "update-rounds"

    def __init__(self, db: Database, agency: AgencyProfile, config: HandlerConfig | None = None) -> None:
        self.db = db
        self.agency = agency

    async def plan(self, now: datetime) -> int:
        zone = self.agency.time_zone
        queued = 0
        async with self.db.transaction("planner:update-rounds") as tx:
            for round_row in await tx.update_rounds.open_rounds():
                if now >= deadline_end(round_row.deadline, zone):
                    marked = await tx.update_rounds.close(round_row, now)
                    await tx.outbox.cancel(key_prefix(round_row.id), "round closed")
                    log.info("update_round.closed", extra={"round": round_row.id, "no_response": marked})
                    continue
                days = due_reminder(round_row.deadline, zone, now, round_row.opened_at)
                if days is None:
                    continue
                reminder = Reply("update_round/reminder", {"deadline": round_row.deadline})
                queued += await queue_audience(
                    tx,
                    REMINDER,
                    reminder,
                    tx.update_rounds.unanswered_audience(round_row.id),
                    key_prefix=_audience_keys(round_row.id),
                    key_suffix=f":h-{days}",
                    due_at=now,
                    now=now,
                )
        if queued:
            log.info("update_round.reminders_queued", extra={"queued": queued})
        return queued
