"""`umkm-bot outbox run`: a process that only sends the outbox (no webhooks, no polling).

`umkm-bot run` sends the outbox too; this is for a dedicated sender, or more of them:
with PostgreSQL exactly one process sends per channel at a time (the sender lease),
and another takes over within the lease time when it dies.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Awaitable

from bot.app import build_app
from bot.outbox.scheduler import OutboxService
from bot.settings import ConfigError, Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("outbox", help="the outbox of announcements and reminders")
    sub = parser.add_subparsers(dest="outbox_command", required=True)
    sub.add_parser("run", help="send the outbox until stopped (SIGTERM/SIGINT)")


def run(args: argparse.Namespace, settings: Settings) -> Awaitable[None]:
    return run_sender(settings)


async def run_sender(settings: Settings) -> None:
    if not (settings.telegram_enabled or settings.whatsapp_enabled):
        # The deployment's settings, not an officer's input: said to the engineer, as settings are.
        raise ConfigError(
            "outbox run: no channel is configured (TELEGRAM_BOT_TOKEN or WHATSAPP_ACCESS_TOKEN)"
        )
    app = await build_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    service: OutboxService | None = None
    try:
        senders = (await app.channels()).senders
        service = OutboxService.for_app(app, senders)
        service.start()
        print(f"umkm-bot: sending the outbox for {', '.join(s.channel for s in senders)}", flush=True)
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if service is not None:
            await service.stop()
        await app.close()
