"""Documents and images that outbox rows carry by name, built when the row is sent.

An outbox row holds JSON, never file bytes (handlers/payload.py). A message the bot sends
on its own with a file (a training's PDF certificate) names an
`AttachmentBuilder` and the few JSON-safe values it needs to find its data (ids, never
personal data); the outbox sender calls the builder at the moment of sending, in the
recipient's language, and sends the file through the channel (Telegram sendDocument,
WhatsApp media upload), with the row's text as caption when it fits.

    CERTIFICATE = AttachmentBuilder("training.certificate", "document", build_certificate)
    CAPABILITY = Capability(..., attachments=(CERTIFICATE,))
    KIND = OutboxKind("training.certificate", ..., attachment="training.certificate")
    await queue_messages(tx, KIND, [(to, reply, key)], due_at=now,
                         attachment=Deferred("training.certificate", {"training": 12}))

The builder gets the row's recipient (`AttachmentRequest.user_id`), so one payload serves
a whole audience. When its subject is gone (erased by Hapus data, cancelled) it raises
`AttachmentUnavailable` and the row ends as failed with that reason, without sending.
Outside WhatsApp's 24-hour window only an approved template (text) may go: the file is
left out, so say in the text where else the file can be had.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from handlers.agency import AgencyProfile
from messages import Renderer
from messages.reply import Attachment
from storage.database import Database

AttachmentKind = Literal["document", "image"]


class AttachmentUnavailable(LookupError):
    """The attachment's subject is gone (erased, cancelled): the row is not sent."""


@dataclass(frozen=True, slots=True)
class Deferred:
    """An attachment named in an outbox row: `builder` builds it from `args` when the row is sent."""

    builder: str
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AttachmentRequest:
    """One build: the row's `args`, its recipient and the recipient's language."""

    args: Mapping[str, Any]
    user_id: int | None
    locale: str


@dataclass(frozen=True, slots=True)
class AttachmentSources:
    """What a builder may read: the database, the message templates and the agency profile."""

    db: Database
    renderer: Renderer
    agency: AgencyProfile


@dataclass(frozen=True, slots=True)
class AttachmentBuilder:
    """Builds the file an outbox row names; declared by a capability (`Capability.attachments`)."""

    name: str
    kind: AttachmentKind
    build: Callable[[AttachmentSources, AttachmentRequest], Awaitable[Attachment]]


__all__ = [
    "Attachment",
    "AttachmentBuilder",
    "AttachmentKind",
    "AttachmentRequest",
    "AttachmentSources",
    "AttachmentUnavailable",
    "Deferred",
]
