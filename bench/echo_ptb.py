"""The yardstick of bench.burst: a bare python-telegram-bot echo bot, as PTB's own example
writes one (Application, one MessageHandler, run_polling), on the event loop `umkm-bot run`
uses (uvloop).

    python -m bench.echo_ptb TOKEN API_BASE_URL FILE_BASE_URL
"""

from __future__ import annotations

import asyncio
import sys

import uvloop
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def main(token: str, api: str, files: str) -> None:
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    application = ApplicationBuilder().token(token).base_url(api).base_file_url(files).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    print("echo: polling", flush=True)
    application.run_polling(poll_interval=0.0, timeout=30)


if __name__ == "__main__":
    main(*sys.argv[1:4])
