"""Channel-neutral values: what arrives (`Incoming`) and what goes back (`Reply`).

Channel adapters in `bot/channels/` translate platform updates into `Incoming`
and render `Reply` values; nothing else knows which platform a user is on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


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


@dataclass(frozen=True, slots=True)
class Choice:
    """One option offered to the user.

    The label is a message template (`template` with `values`) or, for data
    such as region names, literal text in `label`.
    """

    id: str
    template: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None

    def __post_init__(self) -> None:
        if (self.template is None) == (self.label is None):
            raise ValueError("a Choice needs exactly one of template or label")


@dataclass(frozen=True, slots=True)
class Attachment:
    """An image or document to send with a reply."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the user: a template with values, optional choices and attachment.

    `request_phone` asks the channel to offer its share-my-number control
    (Telegram's contact button; on WhatsApp the sender's own number is offered as a choice).
    """

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    choices: Sequence[Choice] = ()
    image: Attachment | None = None
    document: Attachment | None = None
    request_phone: bool = False
