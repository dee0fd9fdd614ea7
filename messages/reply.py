"""What a handler answers: a message template with values, choices and an attachment.

These values name templates of this package, so they live here; `handlers.types`
re-exports them for the domain code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

COMPACT_PREFIX = "#"


@dataclass(frozen=True, slots=True)
class Choice:
    """One option offered to the user.

    The label is a message template (`template` with `values`) or, for data
    such as region names, literal text in `label`. `words`: a template of other typed answers
    that select it, one a line, in the user's language ("berhenti" for "Sudah tutup"); like
    the label, such a typed answer is this choice even where it is also a global word.
    """

    id: str
    template: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None
    words: str | None = None

    def __post_init__(self) -> None:
        if (self.template is None) == (self.label is None):
            raise ValueError("a Choice needs exactly one of template or label")


def compact_id(choice_id: str, limit: int) -> str:
    """`choice_id` as a platform that takes at most `limit` bytes of it will carry it: the id
    itself when it fits, else "#" and a hash of it (Telegram's callback data holds 64 bytes).

    Stateless, so any process resolves a press: the router compares it with the compact ids of
    the choices the conversation offered (`matches`)."""
    if len(choice_id.encode("utf-8")) <= limit and not choice_id.startswith(COMPACT_PREFIX):
        return choice_id
    return _hashed(choice_id)


def _hashed(choice_id: str) -> str:
    return COMPACT_PREFIX + blake2b(choice_id.encode("utf-8"), digest_size=16).hexdigest()


def matches(choice_id: str, pressed: str) -> bool:
    """Whether `pressed` (as the platform gave it back) is `choice_id` or its compact form."""
    return pressed == choice_id or (pressed.startswith(COMPACT_PREFIX) and pressed == _hashed(choice_id))


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
