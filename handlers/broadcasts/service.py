"""Broadcasts (pengumuman): an officer's announcement queued for an audience of owners."""

from __future__ import annotations

from datetime import datetime

from handlers.capability import OutboxKind
from handlers.outbox import queue_audience
from handlers.types import Reply
from storage.models.outbox import Broadcast
from storage.repositories import Transaction
from storage.repositories.audience import AudienceFilter, audience

TEXT_TEMPLATE = "broadcast/text"
TEMPLATE_DIR = "announcements/"
# Telegram allows 4096 characters a message; leave room for the header and footer.
MAX_TEXT = 3500

#: An officer's announcement (pengumuman): a text, or a template under announcements/.
ANNOUNCEMENT = OutboxKind(
    "announcement",
    quiet_hours=True,
    whatsapp_template="announcement",
    messages=(TEXT_TEMPLATE, TEMPLATE_DIR),
)


class BroadcastError(ValueError):
    """The announcement cannot be sent as asked; the message says why in one line."""


def template_name(name: str) -> str:
    """`pembaruan_data` and `announcements/pembaruan_data` name the same template."""
    return name if "/" in name else TEMPLATE_DIR + name


def announcement(*, template: str | None = None, text: str | None = None) -> Reply:
    """The reply every recipient gets, rendered later in their own language."""
    if (template is None) == (text is None):
        raise BroadcastError("give either a template or a text")
    if text is not None:
        text = text.strip()
        if not text:
            raise BroadcastError("the announcement text is empty")
        if len(text) > MAX_TEXT:
            raise BroadcastError(f"the announcement text is {len(text)} characters; at most {MAX_TEXT}")
        return Reply(TEXT_TEMPLATE, {"text": text})
    assert template is not None
    return Reply(template_name(template))


async def queue_broadcast(
    tx: Transaction, *, officer: str, reply: Reply, filters: AudienceFilter, now: datetime
) -> Broadcast:
    """Record the broadcast and queue one row per recipient (in the same transaction)."""
    text = reply.values.get("text") if reply.template == TEXT_TEMPLATE else None
    broadcast = await tx.broadcasts.create(
        created_by=officer,
        template=None if text is not None else reply.template,
        text=text,
        filters=filters,
        now=now,
    )
    queued = await queue_audience(
        tx,
        ANNOUNCEMENT,
        reply,
        audience(filters),
        key_prefix=f"broadcast:{broadcast.id}:user:",
        due_at=now,
        now=now,
        broadcast_id=broadcast.id,
    )
    await tx.broadcasts.record_queued(broadcast, queued)
    await tx.audit.record(
        actor=officer,
        action="broadcast.queued",
        subject=f"broadcast:{broadcast.id}",
        details={"filters": filters.as_dict(), "total": broadcast.total},
    )
    return broadcast
