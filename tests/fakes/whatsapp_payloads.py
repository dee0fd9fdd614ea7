"""Cloud API webhook payloads, for tests to POST to our ``/webhooks/whatsapp``, and their signature.

Pure functions returning the exact JSON shape Meta sends: ``object`` is
``whatsapp_business_account``, each ``entry[].changes[]`` has ``field: "messages"`` and a
``value`` with ``metadata`` plus ``contacts`` and ``messages`` (inbound) or ``statuses``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import time
from typing import Any

from tests.fakes.whatsapp_rules import CODE_ALIASES, ERRORS

Params = dict[str, Any]

PHONE_NUMBER_ID = "1000001"
DISPLAY_PHONE_NUMBER = "6281100001000"
BUSINESS_ACCOUNT_ID = "2000001"
SIGNATURE_HEADER = "X-Hub-Signature-256"
_counter = itertools.count(1)


def new_wamid() -> str:
    """A unique WhatsApp message id of the usual ``wamid.`` form."""
    return f"wamid.HBgM{next(_counter):08d}{secrets.token_hex(10).upper()}"


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def envelope(value: Params, *, phone_number_id: str = PHONE_NUMBER_ID) -> Params:
    """Wrap a change ``value`` (without metadata) in the webhook envelope."""
    metadata = {"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": phone_number_id}
    change = {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value}, "field": "messages"}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": BUSINESS_ACCOUNT_ID, "changes": [change]}],
    }


def inbound(
    wa_id: str,
    fields: Params,
    *,
    name: str = "Siti",
    wamid: str | None = None,
    context_wamid: str | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    """One inbound message from ``wa_id`` with the type-specific ``fields``."""
    message: Params = {
        "from": wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(timestamp or int(time.time())),
    }
    if context_wamid is not None:  # replies to (and button presses on) one of our messages
        message["context"] = {"from": DISPLAY_PHONE_NUMBER, "id": context_wamid}
    message |= fields
    value = {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [message]}
    return envelope(value, phone_number_id=phone_number_id)


def text_message_payload(
    wa_id: str,
    text: str,
    *,
    name: str = "Siti",
    wamid: str | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    fields = {"type": "text", "text": {"body": text}}
    return inbound(
        wa_id, fields, name=name, wamid=wamid, timestamp=timestamp, phone_number_id=phone_number_id
    )


def button_reply_payload(
    wa_id: str,
    button_id: str,
    title: str,
    *,
    name: str = "Siti",
    wamid: str | None = None,
    context_wamid: str | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    """The user pressed a reply button of an interactive ``button`` message."""
    reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    return inbound(
        wa_id,
        {"type": "interactive", "interactive": reply},
        name=name,
        wamid=wamid,
        context_wamid=context_wamid or new_wamid(),
        timestamp=timestamp,
        phone_number_id=phone_number_id,
    )


def list_reply_payload(
    wa_id: str,
    row_id: str,
    title: str,
    *,
    description: str | None = None,
    name: str = "Siti",
    wamid: str | None = None,
    context_wamid: str | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    """The user picked a row of an interactive ``list`` message."""
    row: Params = {"id": row_id, "title": title}
    if description is not None:
        row["description"] = description
    return inbound(
        wa_id,
        {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": row}},
        name=name,
        wamid=wamid,
        context_wamid=context_wamid or new_wamid(),
        timestamp=timestamp,
        phone_number_id=phone_number_id,
    )


def contacts_payload(
    wa_id: str,
    phone: str,
    *,
    contact_name: str = "Siti Aminah",
    contact_wa_id: str | None = None,
    name: str = "Siti",
    wamid: str | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    """The user shared a contact card (``contact_wa_id`` defaults to the phone's digits)."""
    first, _, last = contact_name.partition(" ")
    card_name: Params = {"formatted_name": contact_name, "first_name": first}
    if last:
        card_name["last_name"] = last
    digits = "".join(ch for ch in phone if ch.isdigit())
    card = {"name": card_name, "phones": [{"phone": phone, "wa_id": contact_wa_id or digits, "type": "CELL"}]}
    return inbound(
        wa_id,
        {"type": "contacts", "contacts": [card]},
        name=name,
        wamid=wamid,
        timestamp=timestamp,
        phone_number_id=phone_number_id,
    )


def image_payload(
    wa_id: str,
    media_id: str,
    *,
    caption: str | None = None,
    mime_type: str = "image/jpeg",
    sha256: str | None = None,
    name: str = "Siti",
    wamid: str | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    """The user sent a photo; fetch it through the media id (see ``FakeWhatsApp.add_media``)."""
    image: Params = {"mime_type": mime_type, "sha256": sha256 or secrets.token_hex(32), "id": media_id}
    if caption is not None:
        image["caption"] = caption
    return inbound(
        wa_id,
        {"type": "image", "image": image},
        name=name,
        wamid=wamid,
        timestamp=timestamp,
        phone_number_id=phone_number_id,
    )


def status_payload(
    wamid: str,
    status: str,
    recipient_id: str,
    *,
    error_code: int | None = None,
    timestamp: int | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Params:
    """A delivery status (sent, delivered, read, failed) for one of our messages.

    With ``error_code`` the status carries ``errors`` as Meta reports asynchronous failures
    (e.g. 131047 outside the 24-hour window, 131026 undeliverable).
    """
    entry: Params = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp or int(time.time())),
        "recipient_id": recipient_id,
    }
    if status in ("sent", "delivered"):
        entry["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    if error_code is not None:
        code = CODE_ALIASES.get(error_code, error_code)
        spec = ERRORS.get(code)
        title = spec.title if spec else "Error"
        error: Params = {"code": code, "title": title, "message": title}
        if spec and spec.details:
            error["error_data"] = {"details": spec.details}
        error["href"] = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
        entry["errors"] = [error]
    return envelope({"statuses": [entry]}, phone_number_id=phone_number_id)
