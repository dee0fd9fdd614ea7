"""Putting messages in the outbox: one message, or the same message for a whole audience.

This is the one way capabilities queue what the bot says on its own (reminders,
announcements, notices). A row names its declared `OutboxKind` and a dedupe key, so
planning the same message twice never sends it twice; the reply is rendered when it is
sent, in the recipient's language. The sender (bot/outbox/) does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.attachments import Deferred
from handlers.capability import OutboxKind
from handlers.payload import reply_to_payload
from handlers.types import Reply
from storage.repositories import Transaction
from storage.repositories.audience import Audience
from storage.repositories.outbox import AudienceMessage, NewMessage

#: A direct reply that a shutdown stopped before it went out: never held by quiet hours.
REPLY = OutboxKind("reply", quiet_hours=False, whatsapp_template=None, messages=None)

#: Kinds every app has, whatever its capabilities.
CORE_KINDS = (REPLY,)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One channel identity to send to."""

    channel: str
    external_id: str
    user_id: int | None


def _payload(kind: OutboxKind, reply: Reply, attachment: Deferred | None) -> dict[str, Any]:
    if not kind.carries(reply.template):
        raise ValueError(f"outbox kind {kind.name!r} does not carry the message {reply.template!r}")
    if attachment is not None and attachment.builder != kind.attachment:
        raise ValueError(f"outbox kind {kind.name!r} does not carry the attachment {attachment.builder!r}")
    return reply_to_payload(reply, attachment)


async def queue_messages(
    tx: Transaction,
    kind: OutboxKind,
    messages: list[tuple[Recipient, Reply, str]],
    *,
    due_at: datetime,
    attachment: Deferred | None = None,
) -> int:
    """Queue (recipient, reply, dedupe key) rows; returns how many were new. `attachment`: a file
    every row carries, built when it is sent (the kind must declare its builder)."""
    return await tx.outbox.enqueue(
        NewMessage(
            channel=to.channel,
            external_id=to.external_id,
            user_id=to.user_id,
            kind=kind.name,
            dedupe_key=key,
            payload=_payload(kind, reply, attachment),
            due_at=due_at,
        )
        for to, reply, key in messages
    )


async def queue_audience(
    tx: Transaction,
    kind: OutboxKind,
    reply: Reply,
    audience: Audience,
    *,
    key_prefix: str,
    key_suffix: str = "",
    due_at: datetime,
    now: datetime,
    broadcast_id: int | None = None,
    attachment: Deferred | None = None,
    key_column: str = "user_id",
) -> int:
    """Queue `reply` for every member of `audience` (one INSERT … SELECT, streamed by the
    database); each row's dedupe key is `key_prefix` + user id (or the audience's `key_column`)
    + `key_suffix`. Returns how many were new. `attachment`: as for `queue_messages`; its
    builder is told each row's recipient."""
    message = AudienceMessage(
        kind=kind.name,
        payload=_payload(kind, reply, attachment),
        key_prefix=key_prefix,
        key_suffix=key_suffix,
        due_at=due_at,
        broadcast_id=broadcast_id,
        key_column=key_column,
    )
    return await tx.outbox.enqueue_audience(audience, message, now=now)
