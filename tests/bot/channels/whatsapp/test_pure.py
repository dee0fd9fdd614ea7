"""Pure parts of the WhatsApp channel: signature, payload parsing, rendering, error mapping."""

from __future__ import annotations

import pytest

from bot.channels.base import (
    AuthenticationFailed,
    OutsideWindow,
    PermanentFailure,
    RateLimited,
    TemporaryFailure,
    Undeliverable,
)
from bot.channels.inbound import Unsupported
from bot.channels.whatsapp.client import error_from_response
from bot.channels.whatsapp.render import Buttons, ListMenu, MenuTexts, Text, plan
from bot.channels.whatsapp.webhook import parse_webhook, signature_is_valid, to_incoming
from messages import RenderedChoice, RenderedReply
from tests.fakes import contacts_payload, image_payload, sign, status_payload, text_message_payload

TEXTS = MenuTexts(list_button="Pilih", numbered_footer="Balas dengan nomor.")


def test_signature_is_checked_over_the_raw_body() -> None:
    body = b'{"a": 1}'
    assert signature_is_valid(body, sign(body, "s3cret"), "s3cret")
    assert not signature_is_valid(body, sign(body, "other"), "s3cret")
    assert not signature_is_valid(body + b" ", sign(body, "s3cret"), "s3cret")
    assert not signature_is_valid(body, None, "s3cret")
    assert not signature_is_valid(body, "sha1=abc", "s3cret")


def test_messages_and_statuses_are_parsed() -> None:
    batch = parse_webhook(text_message_payload("628111", "halo", wamid="wamid.A"))
    assert [(m.wamid, m.wa_id) for m in batch.messages] == [("wamid.A", "628111")]
    incoming = to_incoming(batch.messages[0].payload)
    assert not isinstance(incoming, Unsupported)
    assert incoming.text == "halo" and incoming.display_name == "Siti"
    status = parse_webhook(status_payload("wamid.B", "failed", "628111", error_code=131026)).statuses[0]
    assert (status.wamid, status.status, status.error_code) == ("wamid.B", "failed", 131026)


def test_only_the_senders_own_contact_is_their_phone() -> None:
    own = to_incoming(parse_webhook(contacts_payload("628111", "+628111")).messages[0].payload)
    other = to_incoming(parse_webhook(contacts_payload("628111", "+628999")).messages[0].payload)
    assert not isinstance(own, Unsupported) and own.shared_phone == "+628111"
    assert not isinstance(other, Unsupported) and other.shared_phone is None and other.text == "+628999"


def test_media_is_unsupported() -> None:
    parsed = to_incoming(parse_webhook(image_payload("628111", "m1")).messages[0].payload)
    assert isinstance(parsed, Unsupported) and parsed.kind == "image"


def _reply(*labels: str, text: str = "Pilih:") -> RenderedReply:
    return RenderedReply(text, tuple(RenderedChoice(f"c{i}", label) for i, label in enumerate(labels)))


def test_buttons_list_or_numbered_menu() -> None:
    assert isinstance(plan(_reply("Ya", "Tidak"), TEXTS)[-1], Buttons)
    assert isinstance(plan(_reply("a", "b", "c", "d"), TEXTS)[-1], ListMenu)
    long_title = plan(_reply("Satu", "Judul yang agak panjang sekali"), TEXTS)[-1]
    assert isinstance(long_title, ListMenu)
    assert all(len(row.title) <= 24 for row in long_title.rows)
    many = plan(_reply(*[f"Pilihan {n}" for n in range(12)]), TEXTS)
    assert all(isinstance(m, Text) for m in many)
    assert "12. Pilihan 11" in many[-1].body and "Balas dengan nomor." in many[-1].body  # type: ignore[union-attr]


def test_long_text_goes_first_and_the_buttons_carry_the_tail() -> None:
    messages = plan(_reply("Ya", text="kata " * 1500), TEXTS)
    assert isinstance(messages[-1], Buttons) and len(messages[-1].body) <= 1024
    assert all(len(m.body) <= 4096 for m in messages if isinstance(m, Text))


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, 130429, RateLimited),
        (400, 131056, RateLimited),
        (400, 131047, OutsideWindow),
        (400, 131026, Undeliverable),
        (401, 190, AuthenticationFailed),
        (500, 131000, TemporaryFailure),
        (400, 131009, PermanentFailure),
    ],
)
def test_graph_errors_map_to_the_tree(status: int, code: int, error: type[Exception]) -> None:
    exc = error_from_response(status, {"error": {"code": code, "message": "x"}})
    assert type(exc) is error and exc.code == code
