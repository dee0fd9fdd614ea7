"""PTB's calls over aiohttp (bot/channels/telegram/request.py) against the fake Bot API:
form fields, uploads, timeouts and network errors as PTB's own exceptions."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.channels.base import (
    AuthenticationFailed,
    ChannelError,
    PermanentFailure,
    RateLimited,
    RecipientBlocked,
    TemporaryFailure,
)
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.request import AiohttpRequest
from handlers.agency import AgencyProfile
from handlers.types import Attachment, Choice, Reply
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


async def test_the_channel_sends_text_with_its_keyboard_and_keeps_the_message_id(
    bot: Bot, tg: FakeTelegram, agency: AgencyProfile
) -> None:
    # TelegramChannel builds sendMessage's fields itself (not Bot.send_message): what arrives must
    # be what Bot.send_message would have sent, and the id must be the one the server gave.
    channel = TelegramChannel(bot, Renderer(agency.time_zone, agency.template_values()))
    choices = (Choice("ya", label="Ya"),)
    reply = Reply("broadcast/text", {"text": "Pelatihan *gratis* <3 & lagi"}, choices=choices)
    provider_id = await channel.send(str(CHAT), channel.render(reply, "id"))
    sent = tg.sent_messages(CHAT)[-1]
    assert "Pelatihan <b>gratis</b> &lt;3 &amp; lagi" in sent["text"]
    assert sent["parse_mode"] == "HTML"
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Ya" and button["callback_data"] == "ya"
    shown = tg.bot_messages(CHAT)[-1]
    assert shown["text"] == sent["text"]
    assert provider_id == f"{CHAT}:{shown['message_id']}"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, RateLimited),
        (403, RecipientBlocked),
        (401, AuthenticationFailed),
        (400, PermanentFailure),
        (502, TemporaryFailure),
    ],
)
async def test_an_error_answer_to_a_text_send_is_the_channel_error(
    bot: Bot, tg: FakeTelegram, agency: AgencyProfile, status: int, error: type[ChannelError]
) -> None:
    channel = TelegramChannel(bot, Renderer(agency.time_zone, agency.template_values()))
    tg.fail_next("sendMessage", status=status, retry_after=7)
    with pytest.raises(error) as raised:
        await channel.send(str(CHAT), channel.render(Reply("broadcast/text", {"text": "x"}), "id"))
    assert raised.value.code in (status, None)
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after == 7
    assert not tg.sent_messages(CHAT)


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
