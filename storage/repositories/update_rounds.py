"""Data-update rounds: opening, answers, reminders to those who have not answered, the report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Table, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.base import UTCDateTime
from storage.models.registration import Business, BusinessStatus, Owner
from storage.models.update_round import NO_RESPONSE, UpdateAnswer, UpdateRound
from storage.repositories.audience import Audience, AudienceFilter, audience

WAITING = "waiting"


def round_keys(round_id: int, user_id: int | None = None) -> str:
    """Dedupe keys of a round's outbox rows start with this (`update-round:3:user:42:h-7`): what
    to cancel when an owner has answered, or the round is over."""
    return f"update-round:{round_id}:" + (f"user:{user_id}:" if user_id is not None else "")


@dataclass(frozen=True, slots=True)
class StatsRow:
    outcome: str  # active | closed | no_response | waiting
    district_code: str | None
    size_class: str | None
    count: int


class UpdateRoundRepository:
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def open(self, *, opened_by: str, deadline: date, note: str | None, now: datetime) -> UpdateRound:
        row = UpdateRound(opened_by=opened_by, deadline=deadline, note=note, opened_at=now)
        self.session.add(row)
        await self.session.flush()
        return row

    async def current(self) -> UpdateRound | None:
        result = await self.session.execute(
            select(UpdateRound)
            .where(UpdateRound.closed_at.is_(None))
            .order_by(UpdateRound.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def latest(self) -> UpdateRound | None:
        result = await self.session.execute(select(UpdateRound).order_by(UpdateRound.id.desc()).limit(1))
        return result.scalar_one_or_none()

    async def outcome(self, round_id: int, owner_id: int) -> str | None:
        """The owner's answer in a round (active, closed, no_response), or None."""
        found: str | None = await self.session.scalar(
            select(UpdateAnswer.outcome).where(
                UpdateAnswer.round_id == round_id, UpdateAnswer.owner_id == owner_id
            )
        )
        return found

    async def get(self, round_id: int) -> UpdateRound | None:
        return await self.session.get(UpdateRound, round_id)

    async def open_rounds(self) -> list[UpdateRound]:
        result = await self.session.execute(select(UpdateRound).where(UpdateRound.closed_at.is_(None)))
        return list(result.scalars())

    async def answer(
        self,
        round_id: int,
        owner: Owner,
        business: Business,
        *,
        outcome: str,
        reason: str | None,
        now: datetime,
    ) -> None:
        """Record (or change) an owner's answer in a round."""
        insert_ = sqlite_insert if self.sqlite else pg_insert
        values = {
            "round_id": round_id,
            "owner_id": owner.id,
            "outcome": outcome,
            "reason": reason,
            "district_code": business.district_code,
            "size_class": business.size_class,
            "answered_at": now,
        }
        statement = insert_(UpdateAnswer).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[UpdateAnswer.round_id, UpdateAnswer.owner_id],
            set_={
                k: statement.excluded[k]
                for k in ("outcome", "reason", "district_code", "size_class", "answered_at")
            },
        )
        await self.session.execute(statement)

    def _unanswered(self, round_id: int) -> Any:
        return ~(
            select(UpdateAnswer.id)
            .where(UpdateAnswer.round_id == round_id, UpdateAnswer.owner_id == Owner.id)
            .exists()
        )

    def unanswered_audience(self, round_id: int) -> Audience:
        """Every registered owner who has not answered the round yet, one channel identity each."""
        return audience(AudienceFilter()).where(self._unanswered(round_id))

    async def close(self, round_row: UpdateRound, now: datetime) -> int:
        """After the deadline: every registered owner without an answer is "tidak merespons"."""
        unanswered = (
            select(
                literal(round_row.id),
                Owner.id,
                literal(NO_RESPONSE, String()),
                Business.district_code,
                Business.size_class,
                literal(now, UTCDateTime()),
            )
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.deleted_at.is_(None), self._unanswered(round_row.id))
        )
        insert_ = sqlite_insert if self.sqlite else pg_insert
        table: Table = UpdateAnswer.__table__  # type: ignore[assignment]
        result = await self.session.execute(
            insert_(table)
            .from_select(
                ["round_id", "owner_id", "outcome", "district_code", "size_class", "answered_at"], unanswered
            )
            .on_conflict_do_nothing(index_elements=["round_id", "owner_id"])
        )
        no_response = select(UpdateAnswer.owner_id).where(
            UpdateAnswer.round_id == round_row.id, UpdateAnswer.outcome == NO_RESPONSE
        )
        await self.session.execute(
            update(Business).where(Business.owner_id.in_(no_response)).values(status=BusinessStatus.UNKNOWN)
        )
        round_row.closed_at = now
        await self.session.flush()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def rounds(self, *, limit: int = 20) -> list[UpdateRound]:
        result = await self.session.execute(select(UpdateRound).order_by(UpdateRound.id.desc()).limit(limit))
        return list(result.scalars())

    async def stream_answers(
        self, round_id: int
    ) -> AsyncIterator[tuple[UpdateAnswer, Owner | None, Business | None]]:
        """A round's answers in the order given, with the owner and business when not erased."""
        query = (
            select(UpdateAnswer, Owner, Business)
            .outerjoin(Owner, (Owner.id == UpdateAnswer.owner_id) & Owner.deleted_at.is_(None))
            .outerjoin(Business, Business.owner_id == Owner.id)
            .where(UpdateAnswer.round_id == round_id)
            .order_by(UpdateAnswer.id)
            .execution_options(yield_per=500)
        )
        async for answer, owner, business in await self.session.stream(query):
            yield answer, owner, business

    async def erase_reasons(self, owner_id: int) -> None:
        """Drop the free text of an owner's answers; the outcomes stay as counts."""
        await self.session.execute(
            update(UpdateAnswer).where(UpdateAnswer.owner_id == owner_id).values(reason=None)
        )

    async def stats(self, round_row: UpdateRound) -> list[StatsRow]:
        answered = await self.session.execute(
            select(UpdateAnswer.outcome, UpdateAnswer.district_code, UpdateAnswer.size_class, func.count())
            .where(UpdateAnswer.round_id == round_row.id)
            .group_by(UpdateAnswer.outcome, UpdateAnswer.district_code, UpdateAnswer.size_class)
        )
        rows = [StatsRow(o, d, s, int(c)) for o, d, s, c in answered.all()]
        if round_row.closed_at is None:
            waiting = await self.session.execute(
                select(Business.district_code, Business.size_class, func.count())
                .join(Owner, Owner.id == Business.owner_id)
                .where(Owner.deleted_at.is_(None), self._unanswered(round_row.id))
                .group_by(Business.district_code, Business.size_class)
            )
            rows.extend(StatsRow(WAITING, d, s, int(c)) for d, s, c in waiting.all())
        return rows
