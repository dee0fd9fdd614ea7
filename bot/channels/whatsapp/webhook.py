"""WhatsApp webhooks: the signature check, and Meta's JSON turned into our values (pure functions).

A delivery (`object: whatsapp_business_account`) carries `entry[].changes[].value` with
`messages` (what users sent) and/or `statuses` (what became of our messages). Each message is
stored as `{"message": …, "name": …}` and later read back by `to_incoming`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.channels.inbound import Unsupported
from bot.channels.whatsapp import CHANNEL
from handlers.types import Incoming, utcnow

log = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
SHARE_OWN_NUMBER = "wa:own-number"  # the choice id of "use this WhatsApp number"


def signature_is_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Is `header` the `X-Hub-Signature-256` of the raw `body`? Compared in constant time."""
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(
        expected.encode("ascii"), header[len(SIGNATURE_PREFIX) :].strip().encode("ascii", "replace")
    )


@dataclass(frozen=True, slots=True)
class InboundEnvelope:
    """One user message as delivered: its wamid, sender and the payload we store."""

    wamid: str
    wa_id: str
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    wamid: str
    status: str
    recipient_id: str
    at: datetime
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class WebhookBatch:
    messages: list[InboundEnvelope]
    statuses: list[StatusUpdate]


def _time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def parse_webhook(data: Any) -> WebhookBatch:
    """Every message and status in a delivery; anything malformed is skipped and logged."""
    messages: list[InboundEnvelope] = []
    statuses: list[StatusUpdate] = []
    if not isinstance(data, dict):
        log.warning("whatsapp.webhook_not_an_object")
        return WebhookBatch(messages, statuses)
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            names = {
                str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
                for c in _dicts(value.get("contacts"))
            }
            for message in _dicts(value.get("messages")):
                wamid, sender = message.get("id"), message.get("from")
                if not (isinstance(wamid, str) and wamid and isinstance(sender, str) and sender):
                    log.warning("whatsapp.message_without_id_or_sender")
                    continue
                payload = {"message": message, "name": names.get(sender) or None}
                messages.append(InboundEnvelope(wamid, sender, payload, _time(message.get("timestamp"))))
            for status in _dicts(value.get("statuses")):
                wamid, state = status.get("id"), status.get("status")
                if not (isinstance(wamid, str) and isinstance(state, str)):
                    log.warning("whatsapp.status_without_id")
                    continue
                errors = _dicts(status.get("errors"))
                code = errors[0].get("code") if errors else None
                statuses.append(
                    StatusUpdate(
                        wamid,
                        state,
                        str(status.get("recipient_id") or ""),
                        _time(status.get("timestamp")),
                        code if isinstance(code, int) else None,
                    )
                )
    return WebhookBatch(messages, statuses)


def _own_number(wa_id: str) -> str:
    return "+" + "".join(ch for ch in wa_id if ch.isdigit())


def to_incoming(payload: dict[str, Any]) -> Incoming | Unsupported:
    """A stored message as the router's `Incoming`, or `Unsupported` for media and the rest."""
    message = payload.get("message") or {}
    sender = str(message.get("from") or "")
    received = _time(message.get("timestamp"))
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "external_user_id": sender,
        "provider_message_id": message.get("id"),
        "received_at": received,
        "display_name": payload.get("name"),
        "sender_phone": _own_number(sender) if sender else None,
    }
    kind = message.get("type")
    if kind == "text":
        return Incoming(text=str((message.get("text") or {}).get("body") or ""), **common)
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        if isinstance(reply, dict) and reply.get("id"):
            choice_id, title = str(reply["id"]), str(reply.get("title") or "")
            if choice_id == SHARE_OWN_NUMBER:
                return Incoming(text=title, shared_phone=_own_number(sender), **common)
            return Incoming(text=title, choice_id=choice_id, **common)
    if kind == "button":  # a quick-reply button on a template message
        return Incoming(text=str((message.get("button") or {}).get("text") or ""), **common)
    if kind == "contacts":
        cards = _dicts(message.get("contacts"))
        phones = _dicts(cards[0].get("phones")) if cards else []
        if phones:
            phone = phones[0]
            own = "".join(ch for ch in str(phone.get("wa_id") or "") if ch.isdigit()) == sender
            if own:
                return Incoming(text="", shared_phone=_own_number(sender), **common)
            return Incoming(text=str(phone.get("phone") or ""), **common)
    return Unsupported(CHANNEL, sender, str(kind or "unknown"), received)
