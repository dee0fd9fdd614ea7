"""PTB's calls over aiohttp (bot/channels/telegram/request.py) against the fake Bot API:
form fields, uploads, timeouts and network errors as PTB's own exceptions."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.channels.base import TemporaryFailure
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.request import AiohttpRequest
from handlers.agency import AgencyProfile
from handlers.types import Attachment, Reply
from messages import Renderer
from tests.fakes import FakeTelegram
from tests.fakes._forms import UploadedFile

CHAT = 4242
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # binary, with every byte value


def make_bot(base_url: str, **timeouts: float) -> Bot:
    return Bot("123:TEST", base_url=base_url, request=AiohttpRequest(connection_pool_size=4, **timeouts))


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg.api_base_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def test_fields_and_a_keyboard_arrive_as_sent(bot: Bot, tg: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Daftar ✅", callback_data="c:1")]])
    message = await bot.send_message(
        CHAT, "Halo <b>Bu Sri</b> & rekan", parse_mode="HTML", reply_markup=keyboard
    )
    sent = tg.sent_messages(CHAT)[-1]
    assert sent["text"] == "Halo <b>Bu Sri</b> & rekan"
    assert sent["parse_mode"] == "HTML"
    assert sent["reply_markup"]["inline_keyboard"][0][0] == {"text": "Daftar ✅", "callback_data": "c:1"}
    assert message.chat_id == CHAT and message.message_id >= 1


async def test_a_photo_and_a_document_are_uploaded_whole(
    bot: Bot, tg: FakeTelegram, agency: AgencyProfile
) -> None:
    channel = TelegramChannel(bot, Renderer(agency.time_zone, agency.template_values()))
    image = Attachment("poster.png", PHOTO, "image/png")
    document = Attachment("data usaha.xlsx", b"PK\x03\x04" + PHOTO, "application/vnd.ms-excel")
    reply = Reply("broadcast/text", {"text": "Poster pelatihan"}, image=image)
    await channel.send(str(CHAT), channel.render(reply, "id"))
    await channel.send(
        str(CHAT), channel.render(Reply("broadcast/text", {"text": "Data"}, document=document), "id")
    )
    photo_call, document_call = tg.calls_to("sendPhoto")[-1], tg.calls_to("sendDocument")[-1]
    assert isinstance(photo_call["photo"], UploadedFile) and photo_call["photo"].data == PHOTO
    assert "Poster pelatihan" in photo_call["caption"]
    assert isinstance(document_call["document"], UploadedFile)
    assert document_call["document"].data == document.content
    assert document_call["document"].filename == "data usaha.xlsx"


async def test_an_answer_slower_than_the_read_timeout_is_timed_out(
    tg: FakeTelegram, agency: AgencyProfile
) -> None:
    bot = make_bot(tg.api_base_url, read_timeout=0.3)
    await bot.initialize()
    try:
        tg.hang_next("sendMessage", 3.0)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "halo")
        assert time.monotonic() - started < 2.0
        # The channel turns it into a failure worth retrying, and the next call goes through.
        channel = TelegramChannel(bot, Renderer(agency.time_zone, agency.template_values()))
        tg.hang_next("sendMessage", 3.0)
        with pytest.raises(TemporaryFailure):
            await channel.send(str(CHAT), channel.render(Reply("broadcast/text", {"text": "x"}), "id"))
        await bot.send_message(CHAT, "lagi")
        assert tg.sent_messages(CHAT)[-1]["text"] == "lagi"
    finally:
        await bot.shutdown()


async def test_a_server_that_is_not_there_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = make_bot(f"http://127.0.0.1:{port}/bot")
    await bot.request.initialize()  # not bot.initialize(): its getMe would fail the same way
    try:
        with pytest.raises(NetworkError) as raised:
            await bot.send_message(CHAT, "halo")
        assert not isinstance(raised.value, TimedOut)
        assert "aiohttp" in str(raised.value)
    finally:
        await bot.request.shutdown()


async def test_a_request_before_initialize_or_after_shutdown_is_refused(tg: FakeTelegram) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{tg.api_base_url}123:TEST/getMe", "POST")
    await request.initialize()
    code, body = await request.do_request(f"{tg.api_base_url}123:TEST/getMe", "POST")
    assert code == 200 and b'"is_bot":true' in body.replace(b" ", b"")
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{tg.api_base_url}123:TEST/getMe", "POST")
