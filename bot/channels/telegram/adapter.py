"""Telegram updates into `Incoming` (pure, over the Bot API's JSON as stored: building PTB's
`Update` for the few fields read here was about a twentieth of a menu answer's CPU).

- text and /commands: the text (the router knows /start, /menu, …);
- a button press: its callback data, mapped back to the choice id;
- a shared contact: the phone, only when it is the sender's own (`contact.user_id`);
  someone else's card arrives as typed text;
- anything else (photos, stickers, voice, locations): `Unsupported`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from hashlib import blake2b
from typing import Any

from bot.channels.inbound import Unsupported
from bot.channels.telegram import CHANNEL
from handlers.types import Incoming, utcnow

CALLBACK_LIMIT = 64  # bytes of callback_data
LONG_ID_PREFIX = "#"


class CallbackIds:
    """Choice ids as callback_data: the id itself when it fits 64 bytes, else a short hash.

    Hashes are remembered (bounded) to map a press back; an unknown hash after a restart
    reaches the router as an unknown choice, which it answers as a stale button.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def encode(self, choice_id: str) -> str:
        if len(choice_id.encode("utf-8")) <= CALLBACK_LIMIT and not choice_id.startswith(LONG_ID_PREFIX):
            return choice_id
        short = LONG_ID_PREFIX + blake2b(choice_id.encode("utf-8"), digest_size=16).hexdigest()
        self._long[short] = choice_id
        self._long.move_to_end(short)
        while len(self._long) > self._capacity:
            self._long.popitem(last=False)
        return short

    def decode(self, data: str) -> str:
        return self._long.get(data, data)


def _phone(number: str) -> str:
    return "+" + "".join(ch for ch in number if ch.isdigit())


def _object(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def to_incoming(update: Mapping[str, Any], ids: CallbackIds) -> Incoming | Unsupported | None:
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
        return Incoming(text="", choice_id=ids.decode(data), received_at=received, **common)
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
