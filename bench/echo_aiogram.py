"""The second yardstick of bench.burst: a bare aiogram echo bot (Dispatcher, one message
handler, start_polling), on uvloop.

aiogram is not a dependency of the bot: this file runs in the benchmark's own environment
(`make bench-env` makes .venv-bench with bench/requirements-aiogram.txt) and imports nothing
of ours.

    .venv-bench/bin/python bench/echo_aiogram.py TOKEN SERVER_URL
"""

from __future__ import annotations

import sys

import uvloop
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def main(token: str, server: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server))
    bot = Bot(token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    print("echo: polling", flush=True)
    await dispatcher.start_polling(bot, polling_timeout=30, handle_signals=True)


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], sys.argv[2]))
