"""Storing Telegram updates before they are processed (webhook and polling alike).

The update_id is the provider message id, so an update delivered twice is stored once.
Only updates from a person (a message or a button press) are stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.channels.telegram import CHANNEL
from storage.repositories import Transaction
from storage.repositories.channels import StoredInbound

log = logging.getLogger(__name__)

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query")


def update_sender(data: Any) -> tuple[int, str] | None:
    """The update_id and the sending user's id of a raw update, or None to ignore it."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    for kind in ALLOWED_UPDATES:
        body = data.get(kind)
        if isinstance(body, dict):
            sender = body.get("from")
            chat = body.get("chat") or (body.get("message") or {}).get("chat") or {}
            if isinstance(sender, dict) and isinstance(sender.get("id"), int) and not sender.get("is_bot"):
                if isinstance(chat, dict) and chat.get("type", "private") != "private":
                    return None  # the bot talks to people one to one, not in groups
                return data["update_id"], str(sender["id"])
    return None


async def store_updates(tx: Transaction, updates: Sequence[Any]) -> list[StoredInbound]:
    """Store the updates from people in `tx` (one INSERT); a seen update_id is dropped."""
    wanted = [(u, sender) for u in updates if (sender := update_sender(u)) is not None]
    ignored = len(updates) - len(wanted)
    if ignored:
        log.info("telegram.updates_ignored", extra={"count": ignored})
    if not wanted:
        return []
    return await tx.inbound.store_many(
        CHANNEL, [(str(update_id), user_id, update) for update, (update_id, user_id) in wanted]
    )
