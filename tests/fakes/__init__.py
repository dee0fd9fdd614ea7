"""Fake Telegram and WhatsApp servers: real HTTP on 127.0.0.1 that record and inject faults."""

from tests.fakes._forms import UploadedFile
from tests.fakes._recording import Call
from tests.fakes.telegram import SECRET_HEADER, FakeTelegram
from tests.fakes.whatsapp import (
    SIGNATURE_HEADER,
    FakeWhatsApp,
    GraphError,
    button_reply_payload,
    contacts_payload,
    image_payload,
    list_reply_payload,
    sign,
    status_payload,
    text_message_payload,
)

__all__ = [
    "SECRET_HEADER",
    "SIGNATURE_HEADER",
    "Call",
    "FakeTelegram",
    "FakeWhatsApp",
    "GraphError",
    "UploadedFile",
    "button_reply_payload",
    "contacts_payload",
    "image_payload",
    "list_reply_payload",
    "sign",
    "status_payload",
    "text_message_payload",
]
