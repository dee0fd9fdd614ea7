"""Channel-neutral values: what arrives (`Incoming`) and what goes back (`Reply`).

`Reply`, `Choice` and `Attachment` name message templates, so they are defined in
`messages.reply` (messages/ never imports handlers/); they are re-exported here.

Channel adapters in `bot/channels/` translate platform updates into `Incoming`
and render `Reply` values; nothing else knows which platform a user is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from messages.reply import Attachment, Choice, Reply


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a user, whatever the platform.

    `choice_id` is set when the user pressed a button or picked a list row;
    `shared_phone` when they shared their own contact card; `sender_phone` when
    the platform itself vouches for the sender's number (a WhatsApp sender).
    """

    channel: str
    external_user_id: str
    text: str = ""
    choice_id: str | None = None
    shared_phone: str | None = None
    provider_message_id: str | None = None
    received_at: datetime = field(default_factory=utcnow)
    display_name: str | None = None
    sender_phone: str | None = None


__all__ = ["Attachment", "Choice", "Incoming", "Reply", "utcnow"]
