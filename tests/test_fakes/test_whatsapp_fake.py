"""FakeWhatsApp driven with httpx.AsyncClient, as our Cloud API client will drive it."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes import FakeWhatsApp

TO = "6281234567890"


@pytest.fixture
async def client(wa: FakeWhatsApp) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {wa.access_token}"}
    async with httpx.AsyncClient(base_url=wa.api_base_url, headers=headers, trust_env=False) as http:
        yield http


def _path(wa: FakeWhatsApp, endpoint: str = "messages") -> str:
    return f"/{wa.api_version}/{wa.phone_number_id}/{endpoint}"


def _text(body: str, to: str = TO) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def _buttons(*titles: str) -> dict[str, Any]:
    buttons = [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]
    interactive = {"type": "button", "body": {"text": "Pilih salah satu"}, "action": {"buttons": buttons}}
    return {"messaging_product": "whatsapp", "to": TO, "type": "interactive", "interactive": interactive}


def _list(rows: list[dict[str, str]]) -> dict[str, Any]:
    action = {"button": "Lihat pelatihan", "sections": [{"title": "Pelatihan", "rows": rows}]}
    interactive = {"type": "list", "body": {"text": "Pelatihan bulan ini"}, "action": action}
    return {"messaging_product": "whatsapp", "to": TO, "type": "interactive", "interactive": interactive}


async def test_valid_text_send_returns_a_wamid(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    first = await client.post(_path(wa), json=_text("Selamat datang"))
    second = await client.post(_path(wa), json=_text("Menu utama"))

    assert first.status_code == 200
    answer = first.json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": TO, "wa_id": TO}]
    wamids = [answer["messages"][0]["id"], second.json()["messages"][0]["id"]]
    assert all(w.startswith("wamid.") for w in wamids) and wamids[0] != wamids[1]
    assert wa.message_ids(TO) == wamids
    assert [m["text"]["body"] for m in wa.sent_messages(TO)] == ["Selamat datang", "Menu utama"]


async def test_three_short_buttons_are_accepted(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    answer = await client.post(_path(wa), json=_buttons("Daftar", "Voucher", "Pelatihan"))
    assert answer.status_code == 200
    assert wa.sent_messages()[0]["interactive"]["type"] == "button"


async def test_overlong_button_title_is_rejected_like_graph(
    client: httpx.AsyncClient, wa: FakeWhatsApp
) -> None:
    answer = await client.post(_path(wa), json=_buttons("Daftar", "Perbarui data usaha saya"))

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["type"]) == (131009, "OAuthException")
    assert error["message"] == "(#131009) Parameter value is not valid"
    assert error["error_data"] == {
        "messaging_product": "whatsapp",
        "details": "Button title length invalid. Min length: 1, Max length: 20",
    }
    assert error["fbtrace_id"]
    assert wa.sent_messages() == [] and len(wa.calls) == 1


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        (_buttons("A", "B", "C", "D"), 131009, "Number of buttons invalid"),
        (_buttons("Ya", "Ya"), 131009, "Button titles must be unique"),
        (
            _list([{"id": f"r{i}", "title": f"Kelas {i}"} for i in range(11)]),
            131009,
            "Total row count exceed",
        ),
        (_list([{"id": "r1", "title": "Pemasaran digital untuk UMKM"}]), 131009, "Row title is too long"),
        (
            _list([{"id": "r1", "title": "Kelas", "description": "x" * 73}]),
            131009,
            "Row description is too long",
        ),
        (_text("x" * 4097), 100, "Param text['body'] must be at most 4096 characters long."),
        (_text("halo") | {"messaging_product": "sms"}, 100, "Param messaging_product must be one of"),
        (
            {"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}},
            100,
            "parameter to is required",
        ),
        (_text("halo") | {"type": "sticker"}, 100, "The parameter sticker is required."),
    ],
)
async def test_invalid_bodies_are_refused(
    client: httpx.AsyncClient, wa: FakeWhatsApp, body: dict[str, Any], code: int, reason: str
) -> None:
    answer = await client.post(_path(wa), json=body)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == code
    assert reason in (error.get("error_data", {}).get("details") or error["message"])


async def test_list_with_ten_rows_is_accepted(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    rows = [{"id": f"r{i}", "title": f"Kelas {i}", "description": "Sabtu 09.00 WITA"} for i in range(10)]
    assert (await client.post(_path(wa), json=_list(rows))).status_code == 200


async def test_injected_rate_limit_uses_graph_status_and_code(
    client: httpx.AsyncClient, wa: FakeWhatsApp
) -> None:
    wa.fail_next(code=130429)

    limited = await client.post(_path(wa), json=_text("Pengumuman"))
    retried = await client.post(_path(wa), json=_text("Pengumuman"))

    assert limited.status_code == 400  # Graph answers throttling with 400, not 429
    error = limited.json()["error"]
    assert (error["code"], error["message"]) == (130429, "(#130429) Rate limit hit")
    assert error["error_data"]["details"] == "Cloud API message throughput has been reached."
    assert retried.status_code == 200
    assert len(wa.sent_messages()) == 1 and len(wa.calls) == 2


@pytest.mark.parametrize(
    ("code", "status", "answered_code"),
    [
        (131056, 400, 131056),
        (131047, 400, 131047),
        (131026, 400, 131026),
        (190, 401, 190),
        (500, 500, 131000),
    ],
)
async def test_each_injected_code_has_its_documented_status(
    client: httpx.AsyncClient, wa: FakeWhatsApp, code: int, status: int, answered_code: int
) -> None:
    wa.fail_next(code=code)
    answer = await client.post(_path(wa), json=_text("halo"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, answered_code)


async def test_faults_can_target_one_recipient_and_override_status(
    client: httpx.AsyncClient, wa: FakeWhatsApp
) -> None:
    wa.fail_next(code=131056, to="+6289999999999", http_status=429, count=2)

    other = await client.post(_path(wa), json=_text("halo"))
    target = await client.post(_path(wa), json=_text("halo", to="6289999999999"))

    assert other.status_code == 200
    assert (target.status_code, target.json()["error"]["code"]) == (429, 131056)


async def test_bad_or_missing_token_is_401_code_190(wa: FakeWhatsApp) -> None:
    async with httpx.AsyncClient(base_url=wa.api_base_url, trust_env=False) as anonymous:
        wrong = await anonymous.post(_path(wa), json=_text("x"), headers={"Authorization": "Bearer NOPE"})
        missing = await anonymous.post(_path(wa), json=_text("x"))

    for answer in (wrong, missing):
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == 190
        assert answer.json()["error"]["type"] == "OAuthException"
    assert wa.calls == []


async def test_wrong_phone_number_id_or_version(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    unknown = await client.post(f"/{wa.api_version}/999/messages", json=_text("x"))
    old = await client.post(f"/v1.0/{wa.phone_number_id}/messages", json=_text("x"))

    assert unknown.status_code == 400
    assert (unknown.json()["error"]["code"], unknown.json()["error"]["error_subcode"]) == (100, 33)
    assert (old.status_code, old.json()["error"]["code"]) == (400, 2500)


async def test_mark_as_read(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    body = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.INCOMING1"}
    answer = await client.post(_path(wa), json=body)

    assert answer.json() == {"success": True}
    assert wa.read_receipts() == ["wamid.INCOMING1"]
    assert wa.sent_messages() == []


async def test_media_upload_then_fetch(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    upload = await client.post(
        _path(wa, "media"),
        data={"messaging_product": "whatsapp", "type": "application/pdf"},
        files={"file": ("sertifikat.pdf", b"%PDF-1.4 sertifikat", "application/pdf")},
    )
    media_id = upload.json()["id"]
    assert media_id.isdigit()
    assert wa.uploaded_media[media_id].filename == "sertifikat.pdf"

    info = (await client.get(f"/{wa.api_version}/{media_id}")).json()
    assert (info["mime_type"], info["file_size"]) == ("application/pdf", 19)
    assert (await client.get(info["url"])).content == b"%PDF-1.4 sertifikat"

    document = {"id": media_id, "filename": "sertifikat.pdf", "caption": "Sertifikat pelatihan"}
    message = {"messaging_product": "whatsapp", "to": TO, "type": "document", "document": document}
    sent = await client.post(_path(wa), json=message)
    assert sent.status_code == 200


async def test_hang_next_delays_one_send(client: httpx.AsyncClient, wa: FakeWhatsApp) -> None:
    wa.hang_next(0.3)
    started = time.monotonic()
    await client.post(_path(wa), json=_text("lambat"))
    slow = time.monotonic() - started
    started = time.monotonic()
    await client.post(_path(wa), json=_text("cepat"))
    assert slow >= 0.29 > time.monotonic() - started


def test_wait_for_messages_from_another_thread(wa: FakeWhatsApp) -> None:
    headers = {"Authorization": f"Bearer {wa.access_token}"}
    send = threading.Timer(0.1, lambda: httpx.post(wa.messages_url, json=_text("halo"), headers=headers))
    send.start()

    assert wa.wait_for_messages(1, to="+" + TO, timeout=3)[0]["text"]["body"] == "halo"
    with pytest.raises(TimeoutError):
        wa.wait_for_messages(1, to="620000000", timeout=0.1)
    send.join()
