"""Recording what a send did to an outbox row: sent, retried later, ended (failed,
unreachable, cancelled), or, after a delivery status, sent again.

Every update of a sent row is conditional on it still being `sent` with the provider id
the status names, so a replayed status changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.outbox import (
    FAILED,
    LEASED,
    OPEN_STATUSES,
    PENDING,
    SENT,
    UNREACHABLE,
    OutboxMessage,
    UnreachableRecipient,
)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A row already sent, as a later delivery status about it finds it."""

    id: int
    payload: dict[str, Any]


class OutboxOutcomes:
    """The outcome half of `OutboxRepository` (same session, same `tx.outbox`)."""

    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    def _insert(self) -> Any:
        return sqlite_insert if self.sqlite else pg_insert

    async def mark_sent_many(self, sent: Sequence[tuple[int, str]], now: datetime) -> None:
        """Record several sends at once: (row id, provider message id) each."""
        if not sent:
            return
        await self.session.execute(
            update(OutboxMessage),
            [
                {
                    "id": message_id,
                    "status": SENT,
                    "provider_message_id": provider_id[:128],
                    "sent_at": now,
                    "lease_owner": None,
                    "lease_until": None,
                    "last_error": None,
                }
                for message_id, provider_id in sent
            ],
        )

    async def set_payload(self, message_id: int, payload: dict[str, Any]) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(payload=payload)
        )

    async def mark_sent(self, message_id: int, provider_message_id: str, now: datetime) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                status=SENT,
                provider_message_id=provider_message_id[:128],
                sent_at=now,
                lease_owner=None,
                lease_until=None,
                last_error=None,
            )
        )

    async def reschedule(
        self, message_ids: Sequence[int], at: datetime, *, error: str | None, refund: bool
    ) -> None:
        """Back to pending at `at`; `refund` gives back the attempt the claim counted (pauses, quiet hours)."""
        if not message_ids:
            return
        values: dict[str, Any] = {
            "status": PENDING,
            "next_attempt_at": at,
            "lease_owner": None,
            "lease_until": None,
        }
        if error is not None:
            values["last_error"] = error[:500]
        if refund:
            values["attempts"] = (
                func.max(OutboxMessage.attempts - 1, 0)
                if self.sqlite
                else func.greatest(OutboxMessage.attempts - 1, 0)
            )
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == LEASED)
            .values(**values)
        )

    async def end(self, message_id: int, status: str, reason: str) -> None:
        """Finish a row without sending it: failed, unreachable or cancelled, with the reason."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=status, last_error=reason[:500], lease_owner=None, lease_until=None)
        )

    async def find_sent(self, channel: str, external_id: str, provider_message_id: str) -> SentMessage | None:
        """The `sent` row of this recipient that carries `provider_message_id`, or None (the id is
        no outbox row's, or the row is no longer `sent` with it). PostgreSQL locks the row until
        the transaction ends, so two deliveries of one status are decided one after the other."""
        query = select(OutboxMessage.id, OutboxMessage.payload).where(
            OutboxMessage.channel == channel,
            OutboxMessage.external_id == external_id,  # ix_outbox_recipient
            OutboxMessage.status == SENT,
            OutboxMessage.provider_message_id == provider_message_id,
        )
        if not self.sqlite:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        if row is None:
            return None
        return SentMessage(row.id, dict(row.payload or {}))

    async def requeue_sent(
        self,
        message_id: int,
        provider_message_id: str,
        *,
        payload: dict[str, Any],
        reason: str,
        now: datetime,
    ) -> bool:
        """A sent row goes back to pending at `now` with a new payload and the reason. Only while it
        is still `sent` with `provider_message_id`: a replayed status changes nothing."""
        return await self._update_sent(
            message_id,
            provider_message_id,
            status=PENDING,
            payload=payload,
            next_attempt_at=now,
            lease_owner=None,
            lease_until=None,
            last_error=reason[:500],
        )

    async def fail_sent(self, message_id: int, provider_message_id: str, reason: str) -> bool:
        """A sent row ends failed with the reason; only while it is still `sent` with `provider_message_id`."""
        return await self._update_sent(
            message_id, provider_message_id, status=FAILED, last_error=reason[:500]
        )

    async def _update_sent(self, message_id: int, provider_message_id: str, **values: Any) -> bool:
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == SENT,
                OutboxMessage.provider_message_id == provider_message_id,
            )
            .values(**values),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_unreachable(self, channel: str, external_id: str, reason: str, now: datetime) -> int:
        """Remember that this identity cannot be reached and end all its open rows."""
        statement = (
            self._insert()(UnreachableRecipient)
            .values(channel=channel, external_id=external_id, reason=reason[:200], at=now)
            .on_conflict_do_update(
                index_elements=[UnreachableRecipient.channel, UnreachableRecipient.external_id],
                set_={"reason": reason[:200], "at": now},
            )
        )
        await self.session.execute(statement)
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.external_id == external_id,
                OutboxMessage.status.in_(OPEN_STATUSES),
            )
            .values(status=UNREACHABLE, last_error=reason[:500], lease_owner=None, lease_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def defer(self, channel: str, kinds: Sequence[str], until: datetime) -> int:
        """Quiet hours: pending rows of these kinds due before `until` wait until then."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.status == PENDING,
                OutboxMessage.next_attempt_at < until,
                OutboxMessage.kind.in_(list(kinds)),
            )
            .values(next_attempt_at=until)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
