"""Seats under races, on both engines (`make test` runs this file on SQLite and on PostgreSQL):
many people sign up, leave, accept and decline at once; every seat has exactly one holder, the
waiting list loses nobody and keeps its order."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from handlers.agency import AgencyProfile
from handlers.trainings.rules import Applicant
from handlers.trainings.seats import Seating, accept_offer, decline_offer, sign_up, withdraw
from handlers.types import utcnow
from storage.database import Database
from storage.models.trainings import CONFIRMED, OFFERED, WAITING, WITHDRAWN, Enrolment, Training
from storage.repositories.trainings import Person
from tests.bot.outbox.seed import seed_owners, user_id_of
from tests.handlers.trainings.helpers import add_training

CAPACITY = 10
PEOPLE = 60
OWNER = Applicant(registered=True)


async def _people(db: Database, n: int, first: int = 0) -> list[int]:
    chats = await seed_owners(db, n, first=first)
    return [await user_id_of(db, "telegram", chat) for chat in chats]


async def _join(db: Database, training_id: int, user_id: int) -> Enrolment:
    person = Person(user_id, f"Peserta {user_id}", None, None)
    async with db.transaction() as tx:
        result = await sign_up(tx, training_id, person, OWNER, actor=f"user:{user_id}", now=utcnow())
    assert result.enrolment is not None, result.outcome
    return result.enrolment


async def _training(db: Database) -> Training:
    soon = utcnow() + timedelta(days=10)
    return await add_training(db, capacity=CAPACITY, starts_at=soon, ends_at=soon + timedelta(hours=6))


async def _enrolments(db: Database, training_id: int) -> list[Enrolment]:
    async with db.transaction() as tx:
        rows = await tx.session.execute(
            select(Enrolment).where(Enrolment.training_id == training_id).order_by(Enrolment.queue_no)
        )
        return list(rows.scalars())


async def _seats_taken(db: Database, training_id: int) -> int:
    async with db.transaction() as tx:
        training = await tx.trainings.get(training_id)
        assert training is not None
        return training.seats_taken


def _check(enrolments: list[Enrolment], seats_taken: int, capacity: int) -> None:
    """Exactly one holder per seat; the queue in sign-up order; every sign-up in one state."""
    holders = [e for e in enrolments if e.status in (CONFIRMED, OFFERED)]
    assert len(holders) == seats_taken <= capacity, (len(holders), seats_taken)
    waiting = [e for e in enrolments if e.status == WAITING]
    if waiting:
        assert seats_taken == capacity, "someone waits while a seat is free"
    assert len({e.queue_no for e in enrolments}) == len(enrolments), "two sign-ups share a number"
    assert {e.status for e in enrolments} <= {CONFIRMED, OFFERED, WAITING, WITHDRAWN}


async def test_concurrent_sign_ups_never_pass_the_capacity_and_queue_in_order(
    db: Database, agency: AgencyProfile
) -> None:
    training = await _training(db)
    users = await _people(db, PEOPLE)
    results = await asyncio.gather(*(_join(db, training.id, u) for u in users))

    statuses = Counter(e.status for e in results)
    assert statuses == {CONFIRMED: CAPACITY, WAITING: PEOPLE - CAPACITY}
    enrolments = await _enrolments(db, training.id)
    _check(enrolments, await _seats_taken(db, training.id), CAPACITY)
    # The seats went to the first sign-ups taken, the rest wait in the order they were taken.
    assert [e.status for e in enrolments] == [CONFIRMED] * CAPACITY + [WAITING] * (PEOPLE - CAPACITY)


async def test_cancellations_acceptances_and_new_sign_ups_racing_keep_one_holder_per_seat(
    db: Database, agency: AgencyProfile
) -> None:
    seating = Seating(agency, timedelta(hours=24))
    training = await _training(db)
    users = await _people(db, PEOPLE)
    for user in users:  # in order: the first ten seated, fifty waiting
        await _join(db, training.id, user)
    before = {e.id: e for e in await _enrolments(db, training.id)}
    confirmed = [e for e in before.values() if e.status == CONFIRMED]
    waiting = sorted((e for e in before.values() if e.status == WAITING), key=lambda e: e.queue_no)
    rng = random.Random(12)
    leaving = rng.sample(confirmed, 7) + rng.sample(waiting[:20], 8)
    newcomers = await _people(db, 10, first=PEOPLE)

    async def leave(enrolment_id: int) -> None:
        async with db.transaction() as tx:
            await withdraw(tx, seating, enrolment_id, actor="test", now=utcnow())

    async def answer_offers(rounds: int) -> None:
        """People offered a seat answer as soon as they see it: most accept, some decline."""
        for _ in range(rounds):
            for enrolment in await _enrolments(db, training.id):
                if enrolment.status != OFFERED:
                    continue
                async with db.transaction() as tx:
                    if enrolment.queue_no % 5 == 0:
                        await decline_offer(tx, seating, enrolment, actor="test", now=utcnow())
                    else:
                        await accept_offer(tx, seating, enrolment, actor="test", now=utcnow())
            await asyncio.sleep(0)

    await asyncio.gather(
        *(leave(e.id) for e in leaving),
        *(_join(db, training.id, u) for u in newcomers),
        answer_offers(30),
        answer_offers(30),
    )
    await answer_offers(5)

    after = await _enrolments(db, training.id)
    _check(after, await _seats_taken(db, training.id), CAPACITY)
    assert len(after) == PEOPLE + len(newcomers), "a sign-up was lost"
    # Every newcomer joined the end of the queue: people were waiting all along.
    assert all(e.status == WAITING for e in after if e.id not in before)
    # Seats went down the queue in order: everyone promoted was ahead of everyone still waiting.
    was_waiting = [e for e in after if e.id in before and before[e.id].status == WAITING]
    promoted = [e for e in was_waiting if e.status in (CONFIRMED, OFFERED)]
    declined = [e for e in was_waiting if e.status == WITHDRAWN and e.ended == "declined"]
    still_waiting = [e for e in after if e.status == WAITING]
    assert promoted, "no seat was passed on"
    assert max(e.queue_no for e in promoted + declined) < min(e.queue_no for e in still_waiting)
    assert [e.queue_no for e in still_waiting] == sorted(e.queue_no for e in still_waiting)
    async with db.transaction() as tx:
        refreshed = await tx.session.get(Training, training.id)
        assert refreshed is not None and refreshed.seats_taken == CAPACITY
