"""The outbox: queueing rows, claiming batches under a lease, reading progress
(recording what a send did is in `outbox_outcomes`).

A claim is one statement on both engines: PostgreSQL `UPDATE … WHERE id IN
(SELECT … FOR UPDATE SKIP LOCKED) RETURNING`, SQLite the same UPDATE without
the row locks (SQLite holds its one write lock for the whole statement).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.sql import Select

from storage.models.base import UTCDateTime
from storage.models.core import User
from storage.models.outbox import (
    CANCELLED,
    FAILED,
    LEASED,
    OPEN_STATUSES,
    PENDING,
    SENT,
    OutboxMessage,
)
from storage.repositories.outbox_outcomes import OutboxOutcomes, SentMessage


def keyed(prefix: str) -> ColumnElement[bool]:
    """Rows whose dedupe key starts with `prefix`, as a range of the unique index on the keys:
    from the prefix up to (not including) the prefix with its last character one higher. Exact,
    because the keys compare byte by byte on both engines (`OutboxMessage.dedupe_key`); a
    `LIKE 'prefix%'` read every row of the outbox instead."""
    key = OutboxMessage.dedupe_key
    if not prefix:
        return true()
    return and_(key >= prefix, key < prefix[:-1] + chr(ord(prefix[-1]) + 1))


# `cancel_keys` names at most this many keys in one statement (SQLite's limit on bound values).
_KEYS_PER_STATEMENT = 500

# Asked right before the sends of rows that may be cancelled meanwhile: built once (building it
# cost more than running it).
_LEASED_TO = select(OutboxMessage.id).where(
    OutboxMessage.id.in_(bindparam("ids", expanding=True)),
    OutboxMessage.status == LEASED,
    OutboxMessage.lease_owner == bindparam("owner"),
)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A row to queue."""

    channel: str
    external_id: str
    user_id: int | None
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    due_at: datetime
    broadcast_id: int | None = None


@dataclass(frozen=True, slots=True)
class AudienceMessage:
    """One message for every member of an audience; row by row only the recipient differs.

    Each row's dedupe key is `key_prefix` + the recipient's user id + `key_suffix`
    (`update-round:3:user:` + `42` + `:h-7`), so queueing the same audience twice adds nothing.
    """

    kind: str
    payload: dict[str, Any]
    key_prefix: str
    due_at: datetime
    key_suffix: str = ""
    broadcast_id: int | None = None
    # The audience's column whose value makes each row's key unique: the recipient's user id, or
    # another column the audience selects (an invitation to imported owners who have no chat user
    # yet keys its rows by "owner_id").
    key_column: str = "user_id"


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A row this process holds a lease on, with what the send needs about the recipient."""

    id: int
    channel: str
    external_id: str
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    broadcast_id: int | None


@dataclass(frozen=True, slots=True)
class Recipient:
    locale: str
    opted_out: bool


_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.channel,
    OutboxMessage.external_id,
    OutboxMessage.user_id,
    OutboxMessage.kind,
    OutboxMessage.payload,
    OutboxMessage.attempts,
    OutboxMessage.broadcast_id,
)


class OutboxRepository(OutboxOutcomes):
    """Queueing, claiming and reading; recording outcomes is `OutboxOutcomes`' part."""

    # Queueing ------------------------------------------------------------

    async def enqueue(self, messages: Iterable[NewMessage]) -> int:
        """Queue rows; a row whose dedupe key exists already is skipped. Returns how many were new."""
        rows = [
            {
                "channel": m.channel,
                "external_id": m.external_id,
                "user_id": m.user_id,
                "kind": m.kind,
                "dedupe_key": m.dedupe_key,
                "payload": m.payload,
                "due_at": m.due_at,
                "next_attempt_at": m.due_at,
                "status": PENDING,
                "attempts": 0,
                "broadcast_id": m.broadcast_id,
            }
            for m in messages
        ]
        if not rows:
            return 0
        table = OutboxMessage.__table__
        statement = (
            self._insert()(table)
            .on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
            .returning(table.c.id)
        )
        result = await self.session.execute(statement, rows)
        return len(result.all())

    async def enqueue_audience(
        self, audience: Select[str, str, int], message: AudienceMessage, *, now: datetime
    ) -> int:
        """Queue `message` for every (channel, external_id, user_id) row `audience` selects, in one
        INSERT … SELECT: an audience of any size is never loaded into memory. Returns how many
        were new (a recipient whose dedupe key exists already is skipped)."""
        selected = audience.subquery()
        dedupe_key = literal(message.key_prefix, String()) + cast(selected.c[message.key_column], String())
        if message.key_suffix:
            dedupe_key = dedupe_key + literal(message.key_suffix, String())
        rows = select(
            selected.c.channel,
            selected.c.external_id,
            selected.c.user_id,
            literal(message.kind, String()),
            dedupe_key,
            literal(message.payload, JSON()),
            literal(message.due_at, UTCDateTime()),
            literal(PENDING, String()),
            literal(0),
            literal(message.due_at, UTCDateTime()),
            literal(message.broadcast_id, Integer()),
            literal(now, UTCDateTime()),
        ).where(true())  # SQLite: INSERT … SELECT … ON CONFLICT needs a WHERE to parse
        columns = [
            "channel",
            "external_id",
            "user_id",
            "kind",
            "dedupe_key",
            "payload",
            "due_at",
            "status",
            "attempts",
            "next_attempt_at",
            "broadcast_id",
            "created_at",
        ]
        statement = (
            self._insert()(OutboxMessage.__table__)
            .from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=[OutboxMessage.__table__.c.dedupe_key])
        )
        result = await self.session.execute(statement)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def cancel(self, dedupe_prefix: str, reason: str) -> int:
        """End open rows whose dedupe key starts with `dedupe_prefix` (their subject is over).

        A row a sender has claimed already is ended too: the sender looks at it once more right
        before sending (`leased_to`) and drops it."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(keyed(dedupe_prefix), OutboxMessage.status.in_(OPEN_STATUSES))
            .values(status=CANCELLED, last_error=reason[:500], lease_owner=None, lease_until=None),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def cancel_keys(self, dedupe_keys: Sequence[str], reason: str) -> int:
        """End open rows with exactly these dedupe keys, as `cancel` ends a prefix's (each key
        is a lookup of the keys' unique index), a few hundred keys per statement."""
        cancelled = 0
        for start in range(0, len(dedupe_keys), _KEYS_PER_STATEMENT):
            result = await self.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.dedupe_key.in_(dedupe_keys[start : start + _KEYS_PER_STATEMENT]),
                    OutboxMessage.status.in_(OPEN_STATUSES),
                )
                .values(status=CANCELLED, last_error=reason[:500], lease_owner=None, lease_until=None),
                execution_options={"synchronize_session": False},
            )
            cancelled += int(result.rowcount or 0)  # type: ignore[attr-defined]
        return cancelled

    async def leased_to(self, ids: Iterable[int], owner: str) -> set[int]:
        """Those of the rows `ids` still claimed by `owner` (not cancelled, not taken over)."""
        found = await self.session.scalars(_LEASED_TO, {"ids": list(ids), "owner": owner})
        return set(found)

    # Claiming ------------------------------------------------------------

    async def release_expired(self, channel: str, now: datetime) -> int:
        """Leases that ran out (their process died or stalled) become claimable again."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.status == LEASED,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(status=PENDING, lease_owner=None, lease_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim(
        self, channel: str, owner: str, *, batch: int, lease_until: datetime, now: datetime
    ) -> list[ClaimedMessage]:
        """Lease up to `batch` due rows of `channel`, oldest first; each claim counts as an attempt."""
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.status == PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch)
        )
        if not self.sqlite:
            due = due.with_for_update(skip_locked=True)
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due))
            .values(
                status=LEASED,
                lease_owner=owner,
                lease_until=lease_until,
                next_attempt_at=lease_until,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(*_CLAIMED_COLUMNS)
        )
        rows = (await self.session.execute(statement, execution_options={"synchronize_session": False})).all()
        claimed = [ClaimedMessage(*row) for row in rows]
        claimed.sort(key=lambda m: m.id)
        return claimed

    async def recipients(self, user_ids: Iterable[int]) -> dict[int, Recipient]:
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(User.id, User.locale, User.opted_out).where(User.id.in_(ids))
        )
        return {row.id: Recipient(row.locale, row.opted_out) for row in rows}

    # Reading -------------------------------------------------------------

    async def status_counts(self, *, broadcast_id: int | None = None) -> dict[str, int]:
        query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        if broadcast_id is not None:
            query = query.where(OutboxMessage.broadcast_id == broadcast_id)
        return {status: int(count) for status, count in (await self.session.execute(query)).all()}

    async def kind_counts(self, dedupe_prefix: str) -> dict[tuple[str, str], int]:
        """(kind, status) -> rows, of the rows whose dedupe key starts with `dedupe_prefix`."""
        rows = await self.session.execute(
            select(OutboxMessage.kind, OutboxMessage.status, func.count())
            .where(keyed(dedupe_prefix))
            .group_by(OutboxMessage.kind, OutboxMessage.status)
        )
        return {(kind, status): int(count) for kind, status, count in rows.all()}

    async def last_sent_at(self, *, broadcast_id: int) -> datetime | None:
        value: datetime | None = await self.session.scalar(
            select(func.max(OutboxMessage.sent_at)).where(
                OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == SENT
            )
        )
        return value

    async def sent_since(self, since: datetime, *, broadcast_id: int | None = None) -> int:
        query = select(func.count()).where(OutboxMessage.status == SENT, OutboxMessage.sent_at >= since)
        if broadcast_id is not None:
            query = query.where(OutboxMessage.broadcast_id == broadcast_id)
        return int(await self.session.scalar(query) or 0)

    async def by_key(self, dedupe_key: str) -> OutboxMessage | None:
        result = await self.session.execute(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        return result.scalar_one_or_none()

    async def errors(self, *, broadcast_id: int, limit: int = 5) -> list[tuple[str, int]]:
        """The most common reasons rows of a broadcast ended as failed."""
        rows = await self.session.execute(
            select(OutboxMessage.last_error, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == FAILED)
            .group_by(OutboxMessage.last_error)
            .order_by(func.count().desc())
            .limit(limit)
        )
        return [(str(reason), int(count)) for reason, count in rows.all()]


__all__ = [
    "AudienceMessage",
    "ClaimedMessage",
    "NewMessage",
    "OutboxRepository",
    "Recipient",
    "SentMessage",
]
