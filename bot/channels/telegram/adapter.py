"""Telegram updates into `Incoming` (pure, over the Bot API's JSON as stored: building PTB's
`Update` for the few fields read here was about a twentieth of a menu answer's CPU).

- text and /commands: the text (the router knows /start, /menu, …);
- a button press: its callback data (the choice id, or its compact form: the router resolves it);
- a shared contact: the phone, only when it is the sender's own (`contact.user_id`);
  someone else's card arrives as typed text;
- anything else (photos, stickers, voice, locations): `Unsupported`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.channels.inbound import Unsupported
from bot.channels.telegram import CHANNEL
from handlers.types import Incoming, utcnow

CALLBACK_LIMIT = 64  # bytes of callback_data: a longer choice id goes as `compact_id` (messages.reply)


def _phone(number: str) -> str:
    return "+" + "".join(ch for ch in number if ch.isdigit())


def _object(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def to_incoming(update: Mapping[str, Any]) -> Incoming | Unsupported | None:
    query = _object(update.get("callback_query"))
    message = _object(update.get("message"))
    source = query if query is not None else message
    user = _object(source.get("from")) if source is not None else None
    if user is None or user.get("id") is None:
        return None
    received = utcnow()
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "external_user_id": str(user["id"]),
        "provider_message_id": str(update.get("update_id")),
        "display_name": user.get("first_name"),
    }
    if query is not None:
        data = query.get("data")
        if not isinstance(data, str):
            return None
        return Incoming(text="", choice_id=data, received_at=received, **common)
    assert message is not None
    if isinstance(message.get("date"), int):
        received = datetime.fromtimestamp(message["date"], UTC)
    contact = _object(message.get("contact"))
    if contact is not None:
        number = str(contact.get("phone_number", ""))
        if contact.get("user_id") == user["id"]:
            return Incoming(text="", shared_phone=_phone(number), received_at=received, **common)
        return Incoming(text=number, received_at=received, **common)
    if isinstance(message.get("text"), str):
        return Incoming(text=message["text"], received_at=received, **common)
    kind = next(
        (
            name
            for name in ("photo", "document", "sticker", "voice", "audio", "video", "location", "video_note")
            if message.get(name)
        ),
        "other",
    )
    return Unsupported(CHANNEL, str(user["id"]), kind, received)
