"""The trainings planner: runs every five minutes (and at start-up) with the time it is given.

1. Seat offers whose time is up end; their seats go to the next people waiting.
2. Free seats with people waiting (a seat freed by Hapus data) are offered.
3. Reminders: the day before at 09:00 agency time and two hours before the start, to those
   confirmed before the reminder's time (someone who signs up later gets only the ones still
   ahead, never a stale one); only the latest one that is due (a bot that was down sends one,
   not two at once); none from the start on. A moved training's reminders are keyed by its new
   schedule, a cancelled one has none.
4. After the end (within a week): the feedback request and the certificate to each attendee.
Dedupe keys make every step idempotent: planning twice queues nothing new.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from handlers.agency import AgencyProfile
from handlers.context import HandlerConfig
from handlers.outbox import queue_audience
from handlers.trainings.attendance import follow_up
from handlers.trainings.kinds import REMINDER, reminder_prefix, training_values
from handlers.trainings.rules import due_reminder
from handlers.trainings.seats import Seating, give_free_seats, lapse_offers
from handlers.types import Reply
from storage.database import Database
from storage.models.trainings import CONFIRMED, Training
from storage.repositories import Transaction

log = logging.getLogger(__name__)

#: Reminders are looked for in trainings starting within this (the day-before one is at most ~39 h ahead).
REMINDER_HORIZON = timedelta(days=2)
#: Trainings that ended within this are followed up (certificates, feedback), in case the bot was down.
FOLLOW_UP_WINDOW = timedelta(days=7)


async def queue_reminder(tx: Transaction, agency: AgencyProfile, training: Training, now: datetime) -> int:
    """The reminder due now, if any, to everyone confirmed before its time."""
    due = due_reminder(training.starts_at, agency.time_zone, now)
    if due is None:
        return 0
    slot, at = due
    return await queue_audience(
        tx,
        REMINDER,
        Reply("trainings/reminder", {"training": training_values(training, agency), "slot": slot}),
        tx.trainings.enrolled_audience(training.id, (CONFIRMED,), confirmed_before=at),
        key_prefix=f"{reminder_prefix(training)}user:",
        key_suffix=f":{slot}",
        due_at=now,
        now=now,
    )


class TrainingPlanner:
    name = "trainings"

    def __init__(self, db: Database, agency: AgencyProfile, config: HandlerConfig | None = None) -> None:
        self.db = db
        self.agency = agency
        self.seating = Seating(agency, (config or HandlerConfig()).training_offer)

    async def plan(self, now: datetime) -> int:
        """Returns how many messages were queued (reminders, offers, follow-ups)."""
        queued = offered = 0
        async with self.db.transaction("planner:trainings") as tx:
            for training_id in await tx.trainings.with_lapsed_offers(now):
                await lapse_offers(tx, self.seating, training_id, now)
            for training_id in await tx.trainings.needing_offers(now):
                await tx.trainings.lock(training_id)
                offered += len(await give_free_seats(tx, self.seating, training_id, now))
            for training in await tx.trainings.starting_between(now, now + REMINDER_HORIZON):
                queued += await queue_reminder(tx, self.agency, training, now)
            for training in await tx.trainings.ended_between(now - FOLLOW_UP_WINDOW, now):
                queued += await follow_up(tx, self.agency, training, now)
        if queued or offered:
            log.info("trainings.planned", extra={"queued": queued, "offered": offered})
        return queued + offered
