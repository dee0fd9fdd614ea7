"""Trainings, read side: who a training's messages go to, its participants, its figures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from storage.models.core import ChannelIdentity
from storage.models.outbox import SENT, OutboxMessage
from storage.models.registration import Business, Owner
from storage.models.trainings import ACTIVE, CONFIRMED, OFFERED, WAITING, Enrolment, Training
from storage.repositories.audience import Audience, AudienceFilter, audience, count_by_channel, reachable
from storage.repositories.outbox import keyed


@dataclass(frozen=True, slots=True)
class Participant:
    """One row of a training's participant list."""

    enrolment: Enrolment
    reg_no: str | None
    position: int | None  # on the waiting list, 1 first


@dataclass(frozen=True, slots=True)
class TrainingFigures:
    """One training's counts: everyone who signed up, where they are now, and their ratings."""

    training_id: int
    signed_up: int
    confirmed: int
    offered: int  # a seat held for them until the offer expires
    waiting: int  # on the waiting list, no seat offered yet
    withdrawn: int
    attended: int
    rating_sum: int
    ratings: int

    @property
    def held(self) -> int:
        """Seats taken: confirmed, or held by an offer (not free for anyone else)."""
        return self.confirmed + self.offered


Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def _targeting(query: Query, training: Training) -> Query:
    """`query` (over Business) narrowed to the training's sectors, size classes and kecamatan."""
    if training.target_sectors:
        query = query.where(Business.sector.in_(list(training.target_sectors)))
    if training.target_size_classes:
        query = query.where(Business.size_class.in_(list(training.target_size_classes)))
    if training.target_districts:
        query = query.where(Business.district_code.in_(list(training.target_districts)))
    return query


class TrainingReports:
    session: AsyncSession

    # Audiences -----------------------------------------------------------------

    def announcement_audience(self, training: Training) -> Audience:
        """Registered owners the training's targeting selects, without those signed up already."""
        query = _targeting(audience(AudienceFilter()), training)
        enrolled = exists().where(
            Enrolment.training_id == training.id,
            Enrolment.user_id == ChannelIdentity.user_id,
            Enrolment.status.in_(ACTIVE),
        )
        return query.where(~enrolled)

    async def audience_counts(self, selected: Audience) -> dict[str, int]:
        return await count_by_channel(self.session, selected)

    async def targeted_count(self, training: Training) -> int:
        """Registered owners the targeting matches, reachable by chat or not."""
        owners = select(func.count()).select_from(Owner).join(Business, Business.owner_id == Owner.id)
        query = _targeting(owners.where(Owner.deleted_at.is_(None)), training)
        return int(await self.session.scalar(query) or 0)

    def enrolled_audience(
        self,
        training_id: int,
        statuses: Sequence[str],
        *,
        confirmed_before: datetime | None = None,
        attended: bool = False,
    ) -> Audience:
        """The people of a training in `statuses`, one channel identity each (registered or not)."""
        people = select(Enrolment.user_id).where(
            Enrolment.training_id == training_id,
            Enrolment.status.in_(list(statuses)),
            Enrolment.user_id.is_not(None),
        )
        if confirmed_before is not None:
            people = people.where(Enrolment.confirmed_at < confirmed_before)
        if attended:
            people = people.where(Enrolment.attended_at.is_not(None))
        return reachable().where(ChannelIdentity.user_id.in_(people))

    def people_audience(self, user_ids: Sequence[int]) -> Audience:
        """These people, one channel identity each (for a message to one person, or a few)."""
        return reachable().where(ChannelIdentity.user_id.in_(list(user_ids)))

    # Participants ----------------------------------------------------------------

    async def participants(self, training_id: int) -> AsyncIterator[Participant]:
        """Everyone who signed up, in sign-up order, with the waiting list's positions."""
        position = (
            func.row_number()
            .over(partition_by=Enrolment.status, order_by=Enrolment.queue_no)
            .label("position")
        )
        query = (
            select(Enrolment, Owner.reg_no, position)
            .outerjoin(Owner, Owner.id == Enrolment.owner_id)
            .where(Enrolment.training_id == training_id)
            .order_by(Enrolment.queue_no)
            .execution_options(yield_per=500, populate_existing=True)
        )
        result = await self.session.stream(query)
        async for enrolment, reg_no, place in result:
            waiting = enrolment.status == WAITING
            yield Participant(enrolment, reg_no, int(place) if waiting else None)

    async def participant_page(
        self,
        training_id: int,
        *,
        statuses: Sequence[str],
        attended: bool | None = None,
        after: int | None = None,
        limit: int,
    ) -> list[tuple[Enrolment, str | None]]:
        """A page of the training's sign-ups in `statuses` (and attended, or not), in sign-up
        order after the sign-up numbered `after`, with the owner's registration number."""
        query = (
            select(Enrolment, Owner.reg_no)
            .outerjoin(Owner, Owner.id == Enrolment.owner_id)
            .where(Enrolment.training_id == training_id, Enrolment.status.in_(list(statuses)))
            .order_by(Enrolment.queue_no)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        if attended is not None:
            query = query.where(
                Enrolment.attended_at.is_not(None) if attended else Enrolment.attended_at.is_(None)
            )
        if after is not None:
            query = query.where(Enrolment.queue_no > after)
        return [(enrolment, reg_no) for enrolment, reg_no in (await self.session.execute(query)).all()]

    async def status_counts(self, training_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(Enrolment.status, func.count())
            .where(Enrolment.training_id == training_id)
            .group_by(Enrolment.status)
        )
        return {status: int(count) for status, count in rows.all()}

    async def page(self, *, now: datetime, past: bool, after: int | None, limit: int) -> list[Training]:
        """Trainings not ended yet, soonest first, or ended, latest first: `limit` of them after
        the training `after` (a keyset: its start, then its id)."""
        ended = Training.ends_at <= now
        query = select(Training).where(ended if past else ~ended).limit(limit)
        if past:
            query = query.order_by(Training.starts_at.desc(), Training.id.desc())
        else:
            query = query.order_by(Training.starts_at, Training.id)
        if after is not None:
            start = select(Training.starts_at).where(Training.id == after).scalar_subquery()
            if past:
                query = query.where(
                    (Training.starts_at < start) | ((Training.starts_at == start) & (Training.id < after))
                )
            else:
                query = query.where(
                    (Training.starts_at > start) | ((Training.starts_at == start) & (Training.id > after))
                )
        return list((await self.session.execute(query)).scalars())

    # Figures -----------------------------------------------------------------------

    async def figures(self, training_ids: Sequence[int]) -> dict[int, TrainingFigures]:
        if not training_ids:
            return {}

        def count_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        rows = await self.session.execute(
            select(
                Enrolment.training_id,
                func.count(),
                count_of(Enrolment.status == CONFIRMED),
                count_of(Enrolment.status == OFFERED),
                count_of(Enrolment.status == WAITING),
                count_of(Enrolment.status.not_in(list(ACTIVE))),
                count_of(Enrolment.attended_at.is_not(None)),
                func.coalesce(func.sum(Enrolment.rating), 0),
                func.count(Enrolment.rating),
            )
            .where(Enrolment.training_id.in_(list(training_ids)))
            .group_by(Enrolment.training_id)
        )
        found = {int(r[0]): TrainingFigures(*(int(v) for v in r)) for r in rows.all()}
        return {t: found.get(t, TrainingFigures(t, 0, 0, 0, 0, 0, 0, 0, 0)) for t in training_ids}

    async def people_attended(self, training_ids: Sequence[int]) -> int:
        """Different people who attended any of the trainings (an erased person counts once per
        attendance: nothing links their attendances any more)."""
        if not training_ids:
            return 0
        where = (Enrolment.training_id.in_(list(training_ids)), Enrolment.attended_at.is_not(None))
        known = await self.session.scalar(
            select(func.count(func.distinct(Enrolment.user_id))).where(*where, Enrolment.user_id.is_not(None))
        )
        erased = await self.session.scalar(select(func.count()).where(*where, Enrolment.user_id.is_(None)))
        return int(known or 0) + int(erased or 0)

    async def announced(self, key_prefix: str) -> int:
        """Announcement messages sent whose dedupe keys start with `key_prefix`."""
        value = await self.session.scalar(
            select(func.count()).where(keyed(key_prefix), OutboxMessage.status == SENT)
        )
        return int(value or 0)
