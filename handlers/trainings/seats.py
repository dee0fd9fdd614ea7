"""Seats, the waiting list and seat offers: signing up, leaving, accepting or declining an offer.

A training holds `capacity` seats. A sign-up takes a free seat (confirmed) or joins the waiting
list, numbered in the order sign-ups were taken. A seat that frees (someone leaves, an offer is
declined or runs out, the capacity grows) is held for the first person waiting, who has
TRAINING_OFFER_HOURS to accept it by one tap, never past the start; then the next is offered.
Every step takes the training's row lock first and moves seats with conditional statements
(storage/repositories/trainings.py), so each seat has exactly one holder, under any race.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.agency import AgencyProfile
from handlers.capability import OutboxKind
from handlers.outbox import queue_audience
from handlers.quiet import quiet_end
from handlers.trainings.kinds import NOTICE, OFFER, key, reminder_prefix, training_values
from handlers.trainings.rules import Applicant, offer_until, open_to, signups_open
from handlers.types import Choice, Reply
from storage.models.trainings import (
    ACTIVE,
    BY_PERSON,
    CONFIRMED,
    DECLINED,
    HOLDS_SEAT,
    OFFERED,
    WAITING,
    Enrolment,
    Training,
)
from storage.repositories import Transaction
from storage.repositories.trainings import Offer, Person

log = logging.getLogger(__name__)

# Sign-up outcomes besides CONFIRMED and WAITING.
ALREADY, CLOSED, NOT_OPEN, PHONE_TAKEN = "already", "closed", "not_open", "phone_taken"
ACCEPT, DECLINE, JOIN, RATE = "tr:accept:", "tr:decline:", "tr:join:", "tr:rate:"


@dataclass(frozen=True, slots=True)
class Seating:
    """What seat offers need besides the transaction: the agency (its quiet hours, its topics)
    and TRAINING_OFFER_HOURS."""

    agency: AgencyProfile
    offer_hours: timedelta


@dataclass(frozen=True, slots=True)
class SignUp:
    """What a sign-up came to."""

    outcome: str  # confirmed | waiting | already | closed | not_open | phone_taken
    training: Training | None
    enrolment: Enrolment | None = None
    position: int | None = None


def subject(training_id: int) -> str:
    return f"training:{training_id}"


async def applicant_of(tx: Transaction, user_id: int) -> tuple[Applicant, Person | None]:
    """What decides which trainings are open to this user, and, for a registered owner, the
    person their sign-ups copy (name, number, kecamatan, size class)."""
    found = await tx.owners.of_user(user_id)
    if found is None:
        return Applicant(registered=False), None
    owner, business = found
    applicant = Applicant(True, business.sector, business.size_class, business.district_code)
    person = Person(
        user_id, owner.full_name, owner.phone, business.district_code, owner.id, business.size_class
    )
    return applicant, person


async def waiting_position(tx: Transaction, enrolment: Enrolment) -> int | None:
    return await tx.trainings.waiting_position(enrolment) if enrolment.status == WAITING else None


async def sign_up(
    tx: Transaction, training_id: int, person: Person, applicant: Applicant, *, actor: str, now: datetime
) -> SignUp:
    """Sign `person` up: a free seat, or the end of the waiting list. One sign-up per person
    (chat user, or mobile number) per training; leaving and signing up again goes to the end."""
    training = await tx.trainings.get(training_id)
    if training is None or not signups_open(training, now):
        return SignUp(CLOSED, training)
    if not open_to(training, applicant):
        return SignUp(NOT_OPEN, training)
    ticket = await tx.trainings.take_ticket(training_id)
    if ticket is None:
        return SignUp(CLOSED, training)
    existing = await tx.trainings.enrolment_of_person(training_id, person)
    if existing is not None and existing.status in ACTIVE:
        outcome = ALREADY if existing.user_id == person.user_id else PHONE_TAKEN
        return SignUp(outcome, training, existing, await waiting_position(tx, existing))
    status = CONFIRMED if await tx.trainings.take_seat(training_id) else WAITING
    if existing is not None:
        await tx.trainings.reenrol(existing.id, person, status=status, queue_no=ticket, now=now)
        enrolment = await tx.trainings.enrolment(existing.id)
    else:
        enrolment = await tx.trainings.enrol(training_id, person, status=status, queue_no=ticket, now=now)
    if enrolment is None:  # the number is another person's sign-up (a UNIQUE constraint said so)
        if status == CONFIRMED:
            await tx.trainings.release_seat(training_id)
        return SignUp(PHONE_TAKEN, training)
    await tx.audit.record(
        actor=actor,
        action="training.signed_up",
        subject=subject(training_id),
        details={"enrolment": enrolment.id, "status": status, "public": person.public},
    )
    # `training` as loaded above: its seat counters moved since, and no sign-up reply shows them.
    return SignUp(status, training, enrolment, await waiting_position(tx, enrolment))


async def tell(
    tx: Transaction, kind: OutboxKind, reply: Reply, user_id: int | None, *, prefix: str, now: datetime
) -> int:
    """Queue one message to one person (on the channel they used last), if the bot can reach them."""
    if user_id is None:
        return 0
    return await queue_audience(
        tx,
        kind,
        reply,
        tx.trainings.people_audience([user_id]),
        key_prefix=prefix,
        due_at=now,
        now=now,
    )


def offer_reply(training: Training, agency: AgencyProfile, until: datetime) -> Reply:
    choices = [
        Choice(f"{ACCEPT}{training.id}", template="trainings/choice_accept"),
        Choice(f"{DECLINE}{training.id}", template="trainings/choice_decline"),
    ]
    return Reply(
        "trainings/offer", {"training": training_values(training, agency), "until": until}, choices=choices
    )


async def give_free_seats(tx: Transaction, seating: Seating, training_id: int, now: datetime) -> list[Offer]:
    """Hold every free seat of the training for the next people waiting, and tell each one.
    The training's row must be locked already (every caller has changed its seats)."""
    training = await tx.trainings.get(training_id)
    if training is None or training.status != "scheduled":
        return []
    agency = seating.agency
    sendable = quiet_end(now, agency.time_zone, agency.quiet_start, agency.quiet_end)
    until = offer_until(now, training.starts_at, seating.offer_hours, sendable)
    if until is None:
        return []
    offers = await tx.trainings.offer_free_seats(training_id, until=until)
    for offer in offers:
        reply = offer_reply(training, agency, until)
        prefix = key(training_id, f"offer:e{offer.enrolment_id}:q{offer.queue_no}:user:")
        await tell(tx, OFFER, reply, offer.user_id, prefix=prefix, now=now)
    if offers:
        log.info("training.seats_offered", extra={"training": training_id, "offers": len(offers)})
    return offers


async def _forget_pending(tx: Transaction, training: Training, enrolment: Enrolment) -> None:
    """What was still waiting to go to a person who left: their reminders and their offer."""
    if enrolment.user_id is not None:
        await tx.outbox.cancel(reminder_prefix(training, enrolment.user_id), "left the training")
    await tx.outbox.cancel(key(training.id, f"offer:e{enrolment.id}:"), "left the training")


async def withdraw(
    tx: Transaction,
    seating: Seating,
    enrolment_id: int,
    *,
    why: str = BY_PERSON,
    actor: str,
    now: datetime,
) -> Enrolment | None:
    """Take a person off a training (their seat, their place in the queue or their offer); a
    freed seat goes to the next person waiting. None when there was nothing to withdraw."""
    found = await tx.trainings.enrolment(enrolment_id)
    if found is None:
        return None
    await tx.trainings.lock(found.training_id)
    enrolment = await tx.trainings.enrolment(enrolment_id)
    if enrolment is None or enrolment.status not in ACTIVE:
        return None
    leaving = enrolment.status
    if not await tx.trainings.withdraw(enrolment.id, leaving=leaving, why=why, now=now):
        return None
    training = await tx.trainings.get(enrolment.training_id)
    assert training is not None
    if leaving in HOLDS_SEAT:
        await tx.trainings.release_seat(training.id)
        await give_free_seats(tx, seating, training.id, now)
    await _forget_pending(tx, training, enrolment)
    await tx.audit.record(
        actor=actor,
        action="training.withdrawn",
        subject=subject(training.id),
        details={"enrolment": enrolment.id, "was": leaving, "why": why},
    )
    return await tx.trainings.enrolment(enrolment_id)


async def lapse_offers(tx: Transaction, seating: Seating, training_id: int, now: datetime) -> int:
    """Offers of the training whose time is up end (each person is told); their seats go on."""
    await tx.trainings.lock(training_id)
    lapsed = await tx.trainings.lapse_offers(training_id, now)
    if not lapsed:
        return 0
    training = await tx.trainings.get(training_id)
    assert training is not None
    reply = Reply("trainings/offer_lapsed", {"training": training_values(training, seating.agency)})
    for offer in lapsed:
        prefix = key(training_id, f"lapsed:e{offer.enrolment_id}:q{offer.queue_no}:user:")
        await tell(tx, NOTICE, reply, offer.user_id, prefix=prefix, now=now)
    await tx.trainings.release_seat(training_id, len(lapsed))
    await give_free_seats(tx, seating, training_id, now)
    await tx.audit.record(
        actor="system",
        action="training.offers_lapsed",
        subject=subject(training_id),
        details={"enrolments": [o.enrolment_id for o in lapsed]},
    )
    return len(lapsed)


async def accept_offer(
    tx: Transaction, seating: Seating, enrolment: Enrolment, *, actor: str, now: datetime
) -> bool:
    """The held seat becomes the person's, if the offer still stands. One that ran out ends here
    and now, and its seat goes to the next person."""
    if await tx.trainings.accept_offer(enrolment.id, now):
        await tx.outbox.cancel(key(enrolment.training_id, f"offer:e{enrolment.id}:"), "accepted")
        await tx.audit.record(
            actor=actor,
            action="training.offer_accepted",
            subject=subject(enrolment.training_id),
            details={"enrolment": enrolment.id},
        )
        return True
    current = await tx.trainings.enrolment(enrolment.id)
    if current is not None and current.status == OFFERED:
        await lapse_offers(tx, seating, enrolment.training_id, now)
    return False


async def decline_offer(
    tx: Transaction, seating: Seating, enrolment: Enrolment, *, actor: str, now: datetime
) -> bool:
    """Say no to a held seat: it goes to the next person waiting."""
    if enrolment.status != OFFERED:
        return False
    return await withdraw(tx, seating, enrolment.id, why=DECLINED, actor=actor, now=now) is not None
