"""A fake Telegram server and the real Telegram Sender pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.request import AiohttpRequest
from handlers.agency import AgencyProfile
from messages import Renderer
from tests.fakes import FakeTelegram

TOKEN = "123:TEST"


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as fake:
        yield fake


@pytest.fixture
def renderer(agency: AgencyProfile) -> Renderer:
    return Renderer(agency.time_zone, agency.template_values())


@pytest.fixture
async def telegram(tg: FakeTelegram, renderer: Renderer) -> AsyncIterator[TelegramChannel]:
    bot = Bot(
        TOKEN,
        base_url=tg.api_base_url,
        base_file_url=tg.file_base_url,
        request=AiohttpRequest(connection_pool_size=32),
    )
    await bot.initialize()
    yield TelegramChannel(bot, renderer)
    await bot.shutdown()
