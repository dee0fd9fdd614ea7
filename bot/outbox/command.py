"""`umkm-bot outbox run`: a process that only sends the outbox (no webhooks, no polling).

`umkm-bot run` sends the outbox too; this is for a dedicated sender, or more of them:
with PostgreSQL exactly one process sends per channel at a time (the sender lease),
and another takes over within the lease time when it dies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Awaitable

from bot.app import App, build_app
from bot.channels.base import Sender
from bot.channels.telegram.channel import TelegramChannel, translated_errors
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.officer.common import OfficerError
from bot.outbox.scheduler import OutboxService
from bot.runner import telegram_bot, whatsapp_client
from bot.settings import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("outbox", help="the outbox of announcements and reminders")
    sub = parser.add_subparsers(dest="outbox_command", required=True)
    sub.add_parser("run", help="send the outbox until stopped (SIGTERM/SIGINT)")


def run(args: argparse.Namespace, settings: Settings) -> Awaitable[None]:
    return run_sender(settings)


async def senders_for(app: App) -> tuple[list[Sender], list[Awaitable[None]]]:
    """A Sender per configured platform, and what closes them."""
    settings = app.settings
    senders: list[Sender] = []
    closers: list[Awaitable[None]] = []
    if settings.telegram_enabled:
        bot = telegram_bot(settings)
        async with translated_errors():
            await bot.initialize()
        senders.append(TelegramChannel(bot, app.renderer))
        closers.append(bot.shutdown())
    if settings.whatsapp_enabled:
        channel = WhatsAppChannel(
            whatsapp_client(settings), app.renderer, templates=app.agency.whatsapp_templates
        )
        senders.append(channel)
        closers.append(channel.client.aclose())
    return senders, closers


async def run_sender(settings: Settings) -> None:
    if not (settings.telegram_enabled or settings.whatsapp_enabled):
        raise OfficerError(
            "outbox run: no channel is configured (TELEGRAM_BOT_TOKEN or WHATSAPP_ACCESS_TOKEN)"
        )
    app = await build_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    closers: list[Awaitable[None]] = []
    service: OutboxService | None = None
    try:
        senders, closers = await senders_for(app)
        service = OutboxService.build(
            settings, app.db, app.renderer, app.agency, senders=senders, planners=app.planners()
        )
        service.start()
        print(f"umkm-bot: sending the outbox for {', '.join(s.channel for s in senders)}", flush=True)
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if service is not None:
            await service.stop()
        for close in closers:
            with contextlib.suppress(Exception):
                await close
        await app.close()
