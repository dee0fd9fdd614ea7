"""Trainings (pelatihan): seats, the waiting list and offers, attendance and feedback.

Concurrency rules, on both engines:
- every change to a training's seats or queue starts by locking its row with an UPDATE
  (`take_ticket`, `release_seat`, `take_seat`): on PostgreSQL the row lock serialises them
  per training until commit; SQLite runs one writer at a time anyway;
- a seat is taken by `UPDATE … SET seats_taken = seats_taken + 1 WHERE seats_taken < capacity`,
  the check and the take in one statement, so `seats_taken` (the confirmed and the offered)
  never passes the capacity (a CHECK constraint says so too);
- every enrolment moves from one status to the next by an UPDATE conditional on the status it
  leaves (`… WHERE id = :id AND status = 'offered'`): of two moves that race, one wins.
Reports and audiences are in `training_reports`; attendance, feedback, certificates and
Hapus data in `training_attendance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.registration import Owner
from storage.models.trainings import (
    ACTIVE,
    CONFIRMED,
    LAPSED,
    OFFERED,
    SCHEDULED,
    WAITING,
    WITHDRAWN,
    Enrolment,
    Training,
)
from storage.repositories.training_attendance import TrainingAttendance
from storage.repositories.training_reports import TrainingReports

_TRAININGS: Table = Training.__table__  # type: ignore[assignment]
_ENROLMENTS: Table = Enrolment.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Person:
    """Who signs up: a registered owner (their profile copied), or someone from the public form."""

    user_id: int
    full_name: str | None
    phone: str | None
    district_code: str | None
    owner_id: int | None = None
    size_class: str | None = None

    @property
    def public(self) -> bool:
        return self.owner_id is None


@dataclass(frozen=True, slots=True)
class Offer:
    """A freed seat held for the first person waiting, until `until`."""

    enrolment_id: int
    training_id: int
    user_id: int | None
    queue_no: int
    until: datetime


class TrainingRepository(TrainingReports, TrainingAttendance):
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    # Trainings ---------------------------------------------------------------

    async def add(self, training: Training) -> Training:
        self.session.add(training)
        await self.session.flush()
        return training

    async def get(self, training_id: int) -> Training | None:
        """The training as stored now (statements of this transaction included)."""
        return await self.session.get(Training, training_id, populate_existing=True)

    async def save(self, training: Training) -> None:
        await self.session.flush()

    async def listing(
        self, *, starts_from: datetime | None = None, until: datetime | None = None
    ) -> list[Training]:
        query = select(Training).order_by(Training.starts_at, Training.id)
        if starts_from is not None:
            query = query.where(Training.starts_at >= starts_from)
        if until is not None:
            query = query.where(Training.starts_at < until)
        return list((await self.session.execute(query)).scalars())

    async def upcoming(self, now: datetime) -> list[Training]:
        """Scheduled trainings that have not started, soonest first."""
        query = (
            select(Training)
            .where(Training.status == SCHEDULED, Training.starts_at > now)
            .order_by(Training.starts_at, Training.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def starting_between(self, start: datetime, end: datetime) -> list[Training]:
        query = select(Training).where(
            Training.status == SCHEDULED, Training.starts_at > start, Training.starts_at <= end
        )
        return list((await self.session.execute(query.order_by(Training.id))).scalars())

    async def ended_between(self, start: datetime, end: datetime) -> list[Training]:
        query = select(Training).where(
            Training.status == SCHEDULED, Training.ends_at > start, Training.ends_at <= end
        )
        return list((await self.session.execute(query.order_by(Training.id))).scalars())

    async def set_capacity(self, training_id: int, capacity: int) -> bool:
        """Change the capacity, unless more seats are taken than the new one holds."""
        result = await self.session.execute(
            update(_TRAININGS)
            .where(_TRAININGS.c.id == training_id, _TRAININGS.c.seats_taken <= capacity)
            .values(capacity=capacity)
            .returning(_TRAININGS.c.id)
        )
        return result.first() is not None

    # Seats -------------------------------------------------------------------

    async def lock(self, training_id: int) -> None:
        """Hold the training's row until commit (PostgreSQL; SQLite has one writer anyway): taken
        first by every change to its seats or queue, so they never interleave or deadlock."""
        if not self.sqlite:
            await self.session.execute(
                select(_TRAININGS.c.id).where(_TRAININGS.c.id == training_id).with_for_update()
            )

    async def take_ticket(self, training_id: int) -> int | None:
        """The next sign-up number of a scheduled training (None: no such training, or cancelled).
        Locks the training's row until commit: the sign-up that follows is alone on its seats."""
        result = await self.session.execute(
            update(_TRAININGS)
            .where(_TRAININGS.c.id == training_id, _TRAININGS.c.status == SCHEDULED)
            .values(tickets=_TRAININGS.c.tickets + 1)
            .returning(_TRAININGS.c.tickets)
        )
        ticket = result.scalar_one_or_none()
        return int(ticket) if ticket is not None else None

    async def take_seat(self, training_id: int) -> bool:
        """Take one free seat, if there is one: the check and the take are one statement."""
        result = await self.session.execute(
            update(_TRAININGS)
            .where(_TRAININGS.c.id == training_id, _TRAININGS.c.seats_taken < _TRAININGS.c.capacity)
            .values(seats_taken=_TRAININGS.c.seats_taken + 1)
            .returning(_TRAININGS.c.id)
        )
        return result.first() is not None

    async def release_seat(self, training_id: int, seats: int = 1) -> None:
        await self.session.execute(
            update(_TRAININGS)
            .where(_TRAININGS.c.id == training_id, _TRAININGS.c.seats_taken >= seats)
            .values(seats_taken=_TRAININGS.c.seats_taken - seats)
        )

    # Enrolments --------------------------------------------------------------

    async def enrolment(self, enrolment_id: int) -> Enrolment | None:
        return await self.session.get(Enrolment, enrolment_id, populate_existing=True)

    async def enrolment_of(self, training_id: int, user_id: int) -> Enrolment | None:
        query = select(Enrolment).where(Enrolment.training_id == training_id, Enrolment.user_id == user_id)
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalar()

    async def enrolment_of_person(self, training_id: int, person: Person) -> Enrolment | None:
        """The person's enrolment for the training, by chat user or by mobile number (their own first)."""
        same = Enrolment.user_id == person.user_id
        query = (
            select(Enrolment)
            .where(
                Enrolment.training_id == training_id,
                same | (Enrolment.phone == person.phone) if person.phone else same,
            )
            .order_by(same.desc())
            .limit(1)
        )
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalar()

    def _person_values(self, person: Person) -> dict[str, Any]:
        return {
            "user_id": person.user_id,
            "owner_id": person.owner_id,
            "full_name": person.full_name,
            "phone": person.phone,
            "district_code": person.district_code,
            "size_class": person.size_class,
            "public": person.public,
        }

    async def enrol(
        self, training_id: int, person: Person, *, status: str, queue_no: int, now: datetime
    ) -> Enrolment | None:
        """A new enrolment; None when the person (by user or phone) has one for this training."""
        insert_ = sqlite_insert if self.sqlite else pg_insert
        values = {
            **self._person_values(person),
            "training_id": training_id,
            "status": status,
            "queue_no": queue_no,
            "signed_up_at": now,
            "confirmed_at": now if status == CONFIRMED else None,
            "checkin_failures": 0,
        }
        statement = insert_(Enrolment).values(**values).on_conflict_do_nothing().returning(Enrolment)
        result = await self.session.execute(statement, execution_options={"populate_existing": True})
        return result.scalar_one_or_none()

    async def reenrol(
        self, enrolment_id: int, person: Person, *, status: str, queue_no: int, now: datetime
    ) -> bool:
        """Sign a withdrawn enrolment up again, at the end of the queue."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(_ENROLMENTS.c.id == enrolment_id, _ENROLMENTS.c.status == WITHDRAWN)
            .values(
                **self._person_values(person),
                status=status,
                ended=None,
                queue_no=queue_no,
                signed_up_at=now,
                confirmed_at=now if status == CONFIRMED else None,
                offer_expires_at=None,
                withdrawn_at=None,
            )
            .returning(_ENROLMENTS.c.id)
        )
        return result.first() is not None

    async def withdraw(self, enrolment_id: int, *, leaving: str, why: str, now: datetime) -> bool:
        """Take an enrolment out, if it is still `leaving` (confirmed, waiting or offered)."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(_ENROLMENTS.c.id == enrolment_id, _ENROLMENTS.c.status == leaving)
            .values(status=WITHDRAWN, ended=why, withdrawn_at=now, offer_expires_at=None)
            .returning(_ENROLMENTS.c.id)
        )
        return result.first() is not None

    async def accept_offer(self, enrolment_id: int, now: datetime) -> bool:
        """The offered seat becomes the person's, if the offer still stands."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(
                _ENROLMENTS.c.id == enrolment_id,
                _ENROLMENTS.c.status == OFFERED,
                _ENROLMENTS.c.offer_expires_at > now,
            )
            .values(status=CONFIRMED, confirmed_at=now, offer_expires_at=None)
            .returning(_ENROLMENTS.c.id)
        )
        return result.first() is not None

    async def _offer_first_waiting(self, training_id: int, until: datetime) -> Offer | None:
        first = (
            select(_ENROLMENTS.c.id)
            .where(_ENROLMENTS.c.training_id == training_id, _ENROLMENTS.c.status == WAITING)
            .order_by(_ENROLMENTS.c.queue_no)
            .limit(1)
            .scalar_subquery()
        )
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(_ENROLMENTS.c.id == first, _ENROLMENTS.c.status == WAITING)
            .values(status=OFFERED, offer_expires_at=until)
            .returning(_ENROLMENTS.c.id, _ENROLMENTS.c.user_id, _ENROLMENTS.c.queue_no)
        )
        row = result.first()
        return Offer(int(row.id), training_id, row.user_id, int(row.queue_no), until) if row else None

    async def has_waiting(self, training_id: int) -> bool:
        query = select(exists().where(Enrolment.training_id == training_id, Enrolment.status == WAITING))
        return bool(await self.session.scalar(query))

    async def offer_free_seats(self, training_id: int, *, until: datetime) -> list[Offer]:
        """Hold every free seat for the next person waiting, in queue order, until `until`.

        Each seat is taken by the conditional UPDATE first, then given to the first person
        still waiting (a person who left the queue meanwhile is passed over); a seat nobody
        waits for is put back."""
        offers: list[Offer] = []
        while await self.take_seat(training_id):
            offer = None
            while offer is None and await self.has_waiting(training_id):
                offer = await self._offer_first_waiting(training_id, until)
            if offer is None:
                await self.release_seat(training_id)
                break
            offers.append(offer)
        return offers

    async def cap_offers(self, training_id: int, until: datetime) -> None:
        """Offers never run past the start: an earlier start shortens them."""
        await self.session.execute(
            update(_ENROLMENTS)
            .where(
                _ENROLMENTS.c.training_id == training_id,
                _ENROLMENTS.c.status == OFFERED,
                _ENROLMENTS.c.offer_expires_at > until,
            )
            .values(offer_expires_at=until)
        )

    async def needing_offers(self, now: datetime) -> list[int]:
        """Upcoming trainings with a free seat and someone waiting (a seat freed by Hapus data, say)."""
        waiting = exists().where(Enrolment.training_id == Training.id, Enrolment.status == WAITING)
        rows = await self.session.execute(
            select(Training.id).where(
                Training.status == SCHEDULED,
                Training.starts_at > now,
                Training.seats_taken < Training.capacity,
                waiting,
            )
        )
        return [int(t) for t in rows.scalars()]

    async def with_lapsed_offers(self, now: datetime) -> list[int]:
        """Trainings holding a seat for someone whose offer's time is up."""
        rows = await self.session.execute(
            select(Enrolment.training_id)
            .where(Enrolment.status == OFFERED, Enrolment.offer_expires_at <= now)
            .distinct()
            .order_by(Enrolment.training_id)
        )
        return [int(t) for t in rows.scalars()]

    async def lapse_offers(self, training_id: int, now: datetime) -> list[Offer]:
        """Withdraw the training's offers whose time is up (their seats stay taken: give them on
        with `offer_free_seats` after `release_seat`); returns them."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(
                _ENROLMENTS.c.training_id == training_id,
                _ENROLMENTS.c.status == OFFERED,
                _ENROLMENTS.c.offer_expires_at <= now,
            )
            .values(status=WITHDRAWN, ended=LAPSED, withdrawn_at=now, offer_expires_at=None)
            .returning(_ENROLMENTS.c.id, _ENROLMENTS.c.user_id, _ENROLMENTS.c.queue_no)
        )
        return [Offer(int(e), training_id, u, int(q), now) for e, u, q in result.all()]

    async def waiting_position(self, enrolment: Enrolment) -> int:
        """1 for the first person waiting."""
        ahead = await self.session.scalar(
            select(func.count()).where(
                Enrolment.training_id == enrolment.training_id,
                Enrolment.status == WAITING,
                Enrolment.queue_no < enrolment.queue_no,
            )
        )
        return int(ahead or 0) + 1

    async def of_user(
        self, user_id: int, *, statuses: Sequence[str] = (*ACTIVE, WITHDRAWN)
    ) -> list[tuple[Enrolment, Training]]:
        """A person's enrolments with their trainings, soonest first."""
        rows = await self.session.execute(
            select(Enrolment, Training)
            .join(Training, Training.id == Enrolment.training_id)
            .where(Enrolment.user_id == user_id, Enrolment.status.in_(list(statuses)))
            .order_by(Training.starts_at, Training.id)
            .execution_options(populate_existing=True)
        )
        return [(e, t) for e, t in rows.all()]

    async def participant(self, training_id: int, reg_no_or_phone: str) -> Enrolment | None:
        """An enrolment by the owner's registration number or the person's phone (E.164)."""
        query = (
            select(Enrolment)
            .outerjoin(Owner, Owner.id == Enrolment.owner_id)
            .where(
                Enrolment.training_id == training_id,
                (Owner.reg_no == reg_no_or_phone) | (Enrolment.phone == reg_no_or_phone),
            )
        )
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalar()
