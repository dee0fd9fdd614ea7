"""FakeTelegram driven by real python-telegram-bot objects (and raw HTTP where PTB can't reach)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fakes import SECRET_HEADER, FakeTelegram, UploadedFile

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Daftar", callback_data="daftar")]])


async def test_get_me_answers_with_the_bot_user(bot: Bot, tg: FakeTelegram) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.username) == (123, True, "umkm_test_bot")
    assert [call.method for call in tg.calls] == ["getMe", "getMe"]  # initialize() + ours


async def test_send_message_echoes_keyboard_and_numbers_messages_per_chat(bot: Bot, tg: FakeTelegram) -> None:
    first = await bot.send_message(42, "Halo Budi", reply_markup=KEYBOARD)
    second = await bot.send_message(42, "Pilih menu")
    other_chat = await bot.send_message(77, "Halo Siti")

    assert (first.message_id, second.message_id, other_chat.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.reply_markup == KEYBOARD
    assert second.reply_markup is None
    assert tg.sent_messages(42)[0] == {
        "chat_id": 42,
        "text": "Halo Budi",
        "reply_markup": {"inline_keyboard": [[{"text": "Daftar", "callback_data": "daftar"}]]},
    }
    assert [m["text"] for m in tg.sent_messages()] == ["Halo Budi", "Pilih menu", "Halo Siti"]


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot, tg: FakeTelegram) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(42, "Halo", reply_markup=too_long)
    assert tg.sent_messages() == []
    assert tg.calls_to("sendMessage")  # recorded even though refused


async def test_send_document_uploads_bytes_as_multipart(bot: Bot, tg: FakeTelegram) -> None:
    message = await bot.send_document(42, b"id,nama\n1,Budi\n", filename="pelaku_usaha.csv", caption="Ekspor")

    params = tg.sent_messages(42)[0]
    assert params["caption"] == "Ekspor"
    upload = params["document"]
    assert isinstance(upload, UploadedFile)
    assert (upload.filename, upload.data) == ("pelaku_usaha.csv", b"id,nama\n1,Budi\n")
    assert message.document is not None and message.document.file_name == "pelaku_usaha.csv"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"id,nama\n1,Budi\n"


async def test_send_photo_and_document_by_url_or_known_file_id(bot: Bot, tg: FakeTelegram) -> None:
    photo = await bot.send_photo(42, "https://example.invalid/poster.jpg", caption="Pelatihan")
    assert photo.photo and photo.caption == "Pelatihan"

    again = await bot.send_photo(42, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(42, "no-such-file-id")
    assert len(tg.sent_messages(42)) == 2


async def test_get_updates_returns_pushed_update_and_offset_confirms_it(bot: Bot, tg: FakeTelegram) -> None:
    update_id = tg.push_update(tg.text_update(5001, "/start", first_name="Siti"))

    updates = await bot.get_updates(timeout=2)
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.from_user is not None and message.from_user.first_name == "Siti"
    assert message.entities[0].type == "bot_command"

    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert tg.pending_updates == []


async def test_long_poll_waits_for_an_update_pushed_later(bot: Bot, tg: FakeTelegram) -> None:
    timer = threading.Timer(0.2, lambda: tg.push_update(tg.text_update(5002, "halo")))
    timer.start()
    started = time.monotonic()

    updates = await bot.get_updates(timeout=5)

    elapsed = time.monotonic() - started
    assert len(updates) == 1 and 0.15 < elapsed < 2.0
    timer.join()


async def test_long_poll_honours_timeout_when_nothing_arrives(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2.0


def test_stop_ends_a_pending_long_poll_quickly() -> None:
    fake = FakeTelegram().start()
    url = f"{fake.api_base_url}{fake.token}/getUpdates"
    answers: list[httpx.Response] = []
    poller = threading.Thread(
        target=lambda: answers.append(httpx.post(url, json={"timeout": 30}, timeout=40))
    )
    poller.start()
    fake.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=2)

    started = time.monotonic()
    fake.stop()
    poller.join(5)

    assert time.monotonic() - started < 1.0
    assert answers[0].json() == {"ok": True, "result": []}


def test_callback_update_edit_and_answer_through_raw_json(tg: FakeTelegram) -> None:
    base = f"{tg.api_base_url}{tg.token}"
    sent = httpx.post(f"{base}/sendMessage", json={"chat_id": 42, "text": "Setuju?"}).json()["result"]
    update = Update.de_json(
        {"update_id": 1, **tg.callback_update(42, "setuju", message_id=sent["message_id"])}, None
    )
    assert update.callback_query is not None and update.callback_query.data == "setuju"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent["message_id"]

    edit = {"chat_id": 42, "message_id": sent["message_id"], "text": "Terima kasih"}
    assert httpx.post(f"{base}/editMessageText", json=edit).json()["result"]["text"] == "Terima kasih"
    again = httpx.post(f"{base}/editMessageText", json=edit)
    assert again.status_code == 400 and "message is not modified" in again.json()["description"]
    missing = httpx.post(f"{base}/editMessageText", json=edit | {"message_id": 999})
    assert missing.json()["description"] == "Bad Request: message to edit not found"
    answer = {"callback_query_id": update.callback_query.id}
    assert httpx.post(f"{base}/answerCallbackQuery", data=answer).json() == {"ok": True, "result": True}


async def test_edit_reply_markup_and_commands_roundtrip(bot: Bot, tg: FakeTelegram) -> None:
    message = await bot.send_message(42, "Menu", reply_markup=KEYBOARD)
    edited = await bot.edit_message_reply_markup(42, message.message_id)
    assert isinstance(edited, type(message)) and edited.reply_markup is None

    await bot.set_my_commands([BotCommand("mulai", "Mulai"), BotCommand("bantuan", "Bantuan")])
    assert [c.command for c in await bot.get_my_commands()] == ["mulai", "bantuan"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Mulai-Sekarang", "x")])
    assert await bot.send_chat_action(42, "typing") is True


async def test_contact_update_parses_as_a_shared_own_contact(tg: FakeTelegram) -> None:
    update = Update.de_json({"update_id": 1, **tg.contact_update(5003, "+6281234567890")}, None)

    assert update.message is not None and update.message.contact is not None
    assert update.message.contact.phone_number == "+6281234567890"
    assert update.message.contact.user_id == 5003 == update.effective_user.id  # type: ignore[union-attr]


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], Any]]
    secret = "rahasia-123"

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((dict(self.headers), body))
        self.send_response(200 if self.headers.get(SECRET_HEADER) == self.secret else 403)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], Any]]]]:
    received: list[tuple[dict[str, str], Any]] = []
    handler = type("Handler", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/telegram", received
    server.shutdown()
    server.server_close()


async def test_set_webhook_then_deliver_with_secret(
    bot: Bot, tg: FakeTelegram, receiver: tuple[str, list[tuple[dict[str, str], Any]]]
) -> None:
    url, received = receiver
    await bot.set_webhook(url, secret_token="rahasia-123", allowed_updates=["message", "callback_query"])
    assert tg.webhook is not None and tg.webhook["allowed_updates"] == ["message", "callback_query"]
    assert (await bot.get_webhook_info()).url == url

    status = await asyncio.to_thread(tg.deliver_webhook, tg.text_update(5004, "halo"))
    wrong = await tg.deliver_webhook_async(tg.text_update(5004, "lagi"), secret="salah")

    assert (status, wrong) == (200, 403)
    headers, body = received[0]
    assert headers[SECRET_HEADER] == "rahasia-123"
    assert body["message"]["text"] == "halo" and body["update_id"] == tg.webhook_deliveries[0][0]
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert tg.webhook is None


def test_deliver_webhook_refuses_non_loopback_urls(tg: FakeTelegram) -> None:
    with pytest.raises(RuntimeError, match="no webhook is set"):
        tg.deliver_webhook(tg.text_update(1, "x"))
    with pytest.raises(ValueError, match=r"outside 127\.0\.0\.1"):
        tg.deliver_webhook(tg.text_update(1, "x"), url="https://example.com/hook")


async def test_injected_429_surfaces_as_retry_after(
    bot: Bot, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    tg.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(42, "Pengingat pelatihan")
    assert raised.value.retry_after == dtm.timedelta(seconds=7)

    await bot.send_message(42, "Pengingat pelatihan")  # count=1: the retry goes through
    assert len(tg.calls_to("sendMessage")) == 2 and len(tg.sent_messages()) == 1


async def test_injected_403_500_and_wildcard(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", status=403)
    tg.fail_next("*", status=502, count=2)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_chat_action(42, "typing")
    with pytest.raises(NetworkError):
        await bot.get_me()
    assert (await bot.get_me()).id == 123


async def test_hang_next_delays_the_answer(bot: Bot, tg: FakeTelegram) -> None:
    tg.hang_next("sendMessage", 0.3)
    started = time.monotonic()
    await bot.send_message(42, "lambat")
    slow = time.monotonic() - started
    started = time.monotonic()
    await bot.send_message(42, "cepat")
    assert slow >= 0.29 > time.monotonic() - started


async def test_wrong_token_is_refused_and_not_recorded(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=tg.api_base_url):
            pass
    assert tg.calls == []


def test_unknown_method_and_form_bodies(tg: FakeTelegram) -> None:
    base = f"{tg.api_base_url}{tg.token}"
    unknown = httpx.post(f"{base}/sendSticker", json={"chat_id": 1})
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    form = httpx.post(f"{base}/SENDMESSAGE", data={"chat_id": "-100", "text": "grup"}).json()["result"]
    assert form["chat"] == {"id": -100, "type": "group", "title": "Grup UMKM"}
    empty = httpx.post(f"{base}/sendMessage", json={"chat_id": 1, "text": ""})
    assert empty.json()["description"] == "Bad Request: message text is empty"


def test_wait_for_messages_blocks_until_sent_and_times_out(tg: FakeTelegram) -> None:
    url = f"{tg.api_base_url}{tg.token}/sendMessage"
    threading.Timer(0.1, lambda: httpx.post(url, json={"chat_id": 9, "text": "akhirnya"})).start()

    assert tg.wait_for_messages(1, chat_id=9, timeout=3)[0]["text"] == "akhirnya"
    with pytest.raises(TimeoutError, match="1 sends accepted"):
        tg.wait_for_messages(2, timeout=0.2)
