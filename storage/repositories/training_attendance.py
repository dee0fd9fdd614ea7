"""Trainings (pelatihan): attendance (check-in), feedback, certificates, and Hapus data.

The part of `TrainingRepository` after the training: who came, what they said, their
certificate's number; and what erasing a person's data removes from the lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.registration import Owner
from storage.models.trainings import CONFIRMED, Enrolment, Training

_ENROLMENTS: Table = Enrolment.__table__  # type: ignore[assignment]


class TrainingAttendance:
    session: AsyncSession

    # Attendance and feedback ----------------------------------------------------

    async def mark_attended(self, enrolment_id: int, *, by: str, now: datetime) -> bool:
        """Check a confirmed participant in, once."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(
                _ENROLMENTS.c.id == enrolment_id,
                _ENROLMENTS.c.status == CONFIRMED,
                _ENROLMENTS.c.attended_at.is_(None),
            )
            .values(attended_at=now, checked_in_by=by)
            .returning(_ENROLMENTS.c.id)
        )
        return result.first() is not None

    async def checkin_failed(self, enrolment_id: int) -> int:
        """Count one wrong check-in code; returns how many so far."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(_ENROLMENTS.c.id == enrolment_id)
            .values(checkin_failures=_ENROLMENTS.c.checkin_failures + 1)
            .returning(_ENROLMENTS.c.checkin_failures)
        )
        return int(result.scalar_one())

    async def rate(self, enrolment_id: int, *, rating: int, comment: str | None, now: datetime) -> None:
        values: dict[str, Any] = {"rating": rating, "rated_at": now}
        if comment is not None:
            values["comment"] = comment
        await self.session.execute(
            update(_ENROLMENTS).where(_ENROLMENTS.c.id == enrolment_id).values(**values)
        )

    async def rating_counts(self, training_id: int) -> dict[int, int]:
        """How many gave each rating (1-5)."""
        rows = await self.session.execute(
            select(Enrolment.rating, func.count())
            .where(Enrolment.training_id == training_id, Enrolment.rating.is_not(None))
            .group_by(Enrolment.rating)
        )
        return {int(rating or 0): int(count) for rating, count in rows.all()}

    async def comments(
        self, training_id: int, *, before: int | None, limit: int
    ) -> list[tuple[int, int | None, str, datetime | None]]:
        """(enrolment id, rating, comment, when) of the training's comments, newest sign-up first,
        before the enrolment `before`: no name or number with them."""
        query = (
            select(Enrolment.id, Enrolment.rating, Enrolment.comment, Enrolment.rated_at)
            .where(Enrolment.training_id == training_id, Enrolment.comment.is_not(None))
            .order_by(Enrolment.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(Enrolment.id < before)
        return [(int(i), r, str(c), at) for i, r, c, at in (await self.session.execute(query)).all()]

    async def set_certificate_no(self, enrolment_id: int, number: str) -> None:
        await self.session.execute(
            update(_ENROLMENTS)
            .where(_ENROLMENTS.c.id == enrolment_id, _ENROLMENTS.c.certificate_no.is_(None))
            .values(certificate_no=number)
        )

    async def attendees_without_certificate(self, training_id: int) -> list[int]:
        rows = await self.session.execute(
            select(Enrolment.id).where(
                Enrolment.training_id == training_id,
                Enrolment.attended_at.is_not(None),
                Enrolment.certificate_no.is_(None),
            )
        )
        return [int(i) for i in rows.scalars()]

    async def certificate_of(
        self, training_id: int, *, user_id: int | None = None, enrolment_id: int | None = None
    ) -> tuple[Enrolment, str | None, Training] | None:
        """An enrolment (by person or id) with the name its certificate bears: the owner's name as
        registered now, or the one given on the public form."""
        query = (
            select(Enrolment, func.coalesce(Owner.full_name, Enrolment.full_name), Training)
            .join(Training, Training.id == Enrolment.training_id)
            .outerjoin(Owner, Owner.id == Enrolment.owner_id)
            .where(Enrolment.training_id == training_id)
        )
        if user_id is not None:
            query = query.where(Enrolment.user_id == user_id)
        if enrolment_id is not None:
            query = query.where(Enrolment.id == enrolment_id)
        row = (await self.session.execute(query.execution_options(populate_existing=True))).first()
        return (row[0], row[1], row[2]) if row is not None else None

    # Hapus data ----------------------------------------------------------------

    async def erase_person(self, user_id: int) -> int:
        """Remove a person from every training's lists: their name, number, links and comments go;
        the enrolment stays as an anonymous count (status, attendance, rating, kecamatan)."""
        result = await self.session.execute(
            update(_ENROLMENTS)
            .where(_ENROLMENTS.c.user_id == user_id)
            .values(
                user_id=None, owner_id=None, full_name=None, phone=None, comment=None, certificate_no=None
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
