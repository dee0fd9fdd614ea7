"""Webhook payload builders produce Meta's shape; sign() matches an independent HMAC."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from tests.fakes import (
    button_reply_payload,
    contacts_payload,
    image_payload,
    list_reply_payload,
    sign,
    status_payload,
    text_message_payload,
)


def _value(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["object"] == "whatsapp_business_account"
    (entry,) = payload["entry"]
    (change,) = entry["changes"]
    assert change["field"] == "messages"
    value: dict[str, Any] = change["value"]
    assert value["messaging_product"] == "whatsapp"
    assert set(value["metadata"]) == {"display_phone_number", "phone_number_id"}
    return value


def test_sign_matches_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()

    assert sign(body, "app-secret") == f"sha256={expected}"
    # RFC 4231 test case 2, so the helper is checked against a published vector too.
    vector = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign(b"what do ya want for nothing?", "Jefe") == f"sha256={vector}"
    assert sign(body, "other-secret") != sign(body, "app-secret")


def test_text_message_payload_shape() -> None:
    payload = text_message_payload(
        "6281234567890", "daftar", name="Siti", wamid="wamid.A1", phone_number_id="42"
    )
    value = _value(payload)

    assert value["metadata"]["phone_number_id"] == "42"
    assert value["contacts"] == [{"profile": {"name": "Siti"}, "wa_id": "6281234567890"}]
    (message,) = value["messages"]
    assert message["from"] == "6281234567890" and message["id"] == "wamid.A1"
    assert message["type"] == "text" and message["text"] == {"body": "daftar"}
    assert message["timestamp"].isdigit()
    assert json.loads(json.dumps(payload)) == payload


def test_interactive_reply_payloads_carry_context_and_choice() -> None:
    button = _value(button_reply_payload("628111", "menu.voucher", "Voucher", context_wamid="wamid.OUT"))
    listed = _value(list_reply_payload("628111", "kelas.3", "Kelas 3", description="Sabtu"))

    pressed = button["messages"][0]
    assert pressed["context"]["id"] == "wamid.OUT"
    assert pressed["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "menu.voucher", "title": "Voucher"},
    }
    picked = listed["messages"][0]["interactive"]
    assert picked == {
        "type": "list_reply",
        "list_reply": {"id": "kelas.3", "title": "Kelas 3", "description": "Sabtu"},
    }


def test_contacts_and_image_payloads() -> None:
    contact = _value(contacts_payload("628111", "+62 812-3456-7890", contact_name="Budi Santoso"))
    image = _value(image_payload("628111", "1037543291543001", caption="Foto warung"))

    card = contact["messages"][0]["contacts"][0]
    assert card["name"] == {"formatted_name": "Budi Santoso", "first_name": "Budi", "last_name": "Santoso"}
    assert card["phones"] == [{"phone": "+62 812-3456-7890", "wa_id": "6281234567890", "type": "CELL"}]
    photo = image["messages"][0]
    assert photo["type"] == "image" and photo["image"]["id"] == "1037543291543001"
    assert photo["image"]["caption"] == "Foto warung" and photo["image"]["mime_type"] == "image/jpeg"


def test_status_payloads_with_and_without_error() -> None:
    delivered = _value(status_payload("wamid.OUT", "delivered", "628111"))["statuses"][0]
    failed = _value(status_payload("wamid.OUT", "failed", "628111", error_code=131047))["statuses"][0]

    assert (delivered["id"], delivered["status"], delivered["recipient_id"]) == (
        "wamid.OUT",
        "delivered",
        "628111",
    )
    assert "errors" not in delivered and delivered["conversation"]["origin"] == {"type": "service"}
    (error,) = failed["errors"]
    assert error["code"] == 131047 and error["title"] == "Re-engagement message"
    assert "24 hours" in error["error_data"]["details"]
    assert "conversation" not in failed
