"""The inbound message store and outbound message records (see `storage.models.channels`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Cipher
from storage.models import InboundMessage, OutboundMessage, utcnow

SEALED = "sealed"
PAYLOAD_PURPOSE = "inbound-payload"

# A status only moves forward; `failed` ends it whatever came before.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
# A row whose processing failed this often (a bug, not a crash) is left for an officer to look at.
MAX_ATTEMPTS = 5

_INBOUND = cast(Table, InboundMessage.__table__)
_OUTBOUND = cast(Table, OutboundMessage.__table__)
_EARLIER = _INBOUND.alias("earlier")

# Once per message: built once (building it costs more CPU than running it), on the table, not
# the mapped class (the ORM's bulk UPDATE path cost about four times the statement's own CPU).
# The payload is emptied: what the owner typed is kept only while it waits. A delivery is
# claimed only while no earlier one of the same chat waits for its first attempt (see `claim`).
_CLAIM = (
    update(_INBOUND)
    .where(
        _INBOUND.c.id == bindparam("inbound_id"),
        _INBOUND.c.processed_at.is_(None),
        ~exists().where(
            _EARLIER.c.channel == _INBOUND.c.channel,
            _EARLIER.c.external_user_id == _INBOUND.c.external_user_id,
            _EARLIER.c.id < _INBOUND.c.id,
            _EARLIER.c.processed_at.is_(None),
            _EARLIER.c.attempts == 0,
        ),
    )
    .values(
        processed_at=bindparam("at", type_=_INBOUND.c.processed_at.type),
        attempts=_INBOUND.c.attempts + 1,
        error=None,
        payload={},
    )
)


def _insert_new(table: Table, *, sqlite: bool) -> Any:
    """INSERT … ON CONFLICT (channel, provider_message_id) DO NOTHING, its rows given at execute.

    Built once per dialect, and never with `.values([...])`: SQLAlchemy cannot cache a statement
    that carries its rows (multi-VALUES), so each one was compiled again, at about a fifth of a
    WhatsApp message's CPU. Several rows go as one executemany ("insertmanyvalues" still sends
    them as one multi-row statement, compiled once)."""
    insert = sqlite_insert if sqlite else pg_insert
    return insert(table).on_conflict_do_nothing(index_elements=["channel", "provider_message_id"])


_STORE = {
    sqlite: _insert_new(_INBOUND, sqlite=sqlite).returning(_INBOUND.c.id, _INBOUND.c.provider_message_id)
    for sqlite in (True, False)
}
_RECORD_SENT = {sqlite: _insert_new(_OUTBOUND, sqlite=sqlite) for sqlite in (True, False)}


@dataclass(frozen=True, slots=True)
class StoredInbound:
    """One stored platform message, as the inbound processor needs it."""

    id: int
    channel: str
    external_user_id: str
    payload: dict[str, Any]


class InboundRepository:
    """Stored deliveries. What an owner typed may hold a NIK, so a payload is sealed (AES-GCM)
    while it waits and emptied once processed: the dedupe needs only the provider id."""

    def __init__(self, session: AsyncSession, *, sqlite: bool, cipher: Cipher) -> None:
        self.session = session
        self.sqlite = sqlite
        self.cipher = cipher

    def _seal(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {SEALED: self.cipher.encrypt(json.dumps(payload), purpose=PAYLOAD_PURPOSE)}

    def _open(self, stored: dict[str, Any]) -> dict[str, Any]:
        opened: dict[str, Any] = json.loads(self.cipher.decrypt(stored[SEALED], purpose=PAYLOAD_PURPOSE))
        return opened

    async def store(
        self,
        channel: str,
        provider_message_id: str,
        external_user_id: str,
        payload: dict[str, Any],
        received_at: datetime | None = None,
    ) -> StoredInbound | None:
        """Store a delivered message; None if this provider message id was stored before."""
        stored = await self.store_many(
            channel, [(provider_message_id, external_user_id, payload)], received_at
        )
        return stored[0] if stored else None

    async def store_many(
        self,
        channel: str,
        deliveries: Sequence[tuple[str, str, dict[str, Any]]],
        received_at: datetime | None = None,
    ) -> list[StoredInbound]:
        """Store `(provider message id, external user id, payload)` deliveries in one statement;
        return the new ones in the order given (a provider id stored before, or twice in
        `deliveries`, is left out)."""
        fresh: dict[str, tuple[str, dict[str, Any]]] = {}
        for provider_message_id, external_user_id, payload in deliveries:
            fresh.setdefault(provider_message_id, (external_user_id, payload))
        if not fresh:
            return []
        at = received_at or utcnow()
        rows = [
            {
                "channel": channel,
                "provider_message_id": provider_message_id,
                "external_user_id": external_user_id,
                "payload": self._seal(payload),
                "received_at": at,
                "attempts": 0,
            }
            for provider_message_id, (external_user_id, payload) in fresh.items()
        ]
        result = await self.session.execute(_STORE[self.sqlite], rows)
        new_ids = dict((provider_id, row_id) for row_id, provider_id in result)
        return [
            StoredInbound(new_ids[provider_message_id], channel, external_user_id, payload)
            for provider_message_id, (external_user_id, payload) in fresh.items()
            if provider_message_id in new_ids
        ]

    async def pending(
        self, limit: int = 1000, *, after_id: int = 0, stored_before: datetime | None = None
    ) -> list[StoredInbound]:
        """Stored but unprocessed messages with an id above `after_id`, oldest first; with
        `stored_before`, only those received before it and never attempted (left behind by a
        process that stopped before it got to them)."""
        query = select(InboundMessage).where(
            InboundMessage.processed_at.is_(None),
            InboundMessage.attempts < MAX_ATTEMPTS,
            InboundMessage.id > after_id,
        )
        if stored_before is not None:
            query = query.where(InboundMessage.received_at < stored_before, InboundMessage.attempts == 0)
        result = await self.session.execute(query.order_by(InboundMessage.id).limit(limit))
        return [
            StoredInbound(row.id, row.channel, row.external_user_id, self._open(row.payload))
            for row in result.scalars()
        ]

    async def claim(self, inbound_id: int) -> bool:
        """Mark the message processed, in its chat's turn: False if it already was (another process
        got there first), or if an earlier delivery of the same chat (lower id) is still waiting
        for its first attempt. One that failed an attempt (`record_attempt`) no longer holds the
        later ones back: it is tried again at the next start, as it always was."""
        result = await self.session.execute(_CLAIM, {"inbound_id": inbound_id, "at": utcnow()})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def ahead_of(self, row: StoredInbound) -> list[StoredInbound] | None:
        """Why `row` could not be claimed: None if it is processed already; otherwise the earlier
        deliveries of its chat that wait for their first attempt, oldest first."""
        result = await self.session.execute(
            select(InboundMessage)
            .where(
                InboundMessage.channel == row.channel,
                InboundMessage.external_user_id == row.external_user_id,
                InboundMessage.processed_at.is_(None),
                InboundMessage.id <= row.id,
            )
            .order_by(InboundMessage.id)
        )
        pending = list(result.scalars())
        if not pending or pending[-1].id != row.id:
            return None
        return [
            StoredInbound(stored.id, stored.channel, stored.external_user_id, self._open(stored.payload))
            for stored in pending[:-1]
            if stored.attempts == 0
        ]

    async def note_reply_error(self, inbound_id: int, error: str) -> None:
        """The message was processed but its reply could not be sent."""
        await self.session.execute(
            update(InboundMessage).where(InboundMessage.id == inbound_id).values(error=error)
        )

    async def record_attempt(self, inbound_id: int, error: str) -> None:
        """A processing attempt failed before the conversation answered; keep the row pending."""
        await self.session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == inbound_id)
            .values(attempts=InboundMessage.attempts + 1, error=error)
        )

    async def get(self, inbound_id: int) -> InboundMessage | None:
        return await self.session.get(InboundMessage, inbound_id)

    async def all(self, channel: str | None = None) -> Sequence[InboundMessage]:
        query = select(InboundMessage).order_by(InboundMessage.id)
        if channel is not None:
            query = query.where(InboundMessage.channel == channel)
        return list((await self.session.execute(query)).scalars())

    async def count_pending(self) -> int:
        result = await self.session.execute(
            select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None))
        )
        return int(result.scalar_one())


class OutboundRepository:
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def record_sent(self, sent: Sequence[tuple[str, str, str]]) -> None:
        """Keep the (channel, provider message id, external user id) of messages sent, for their
        delivery statuses; one statement for all of them."""
        if not sent:
            return
        now = utcnow()
        await self.session.execute(
            _RECORD_SENT[self.sqlite],
            [
                {
                    "channel": channel,
                    "provider_message_id": message_id,
                    "external_user_id": external_user_id,
                    "status": "sent",
                    "sent_at": now,
                    "status_at": now,
                }
                for channel, message_id, external_user_id in sent
            ],
        )

    async def record_status(
        self,
        channel: str,
        provider_message_id: str,
        external_user_id: str,
        status: str,
        *,
        at: datetime,
        error_code: int | None = None,
    ) -> None:
        """Store a delivery status against our message (a status for an unknown message adds a row)."""
        row = (
            await self.session.execute(
                select(OutboundMessage).where(
                    OutboundMessage.channel == channel,
                    OutboundMessage.provider_message_id == provider_message_id,
                )
            )
        ).scalar_one_or_none()
        if row is None:
            self.session.add(
                OutboundMessage(
                    channel=channel,
                    provider_message_id=provider_message_id,
                    external_user_id=external_user_id,
                    status=status,
                    error_code=error_code,
                    sent_at=at,
                    status_at=at,
                )
            )
            return
        if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(row.status, 0):
            row.status, row.status_at = status, at
            if error_code is not None:
                row.error_code = error_code

    async def find(self, channel: str, provider_message_id: str) -> OutboundMessage | None:
        return (
            await self.session.execute(
                select(OutboundMessage).where(
                    OutboundMessage.channel == channel,
                    OutboundMessage.provider_message_id == provider_message_id,
                )
            )
        ).scalar_one_or_none()
