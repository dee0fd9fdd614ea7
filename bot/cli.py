"""`umkm-bot`: the command line: run, chat, db upgrade, outbox run, and each capability's
officer commands (declared by the capability, listed in bot/app.py).

Every command exits non-zero with a one-line reason on bad input or settings.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

from bot import backup as backup_command
from bot.app import CAPABILITIES, build_app
from bot.logs import configure_logging
from bot.loop import run_async
from bot.outbox import command as outbox_command
from bot.settings import ConfigError, Settings, load_settings, opening_database
from bot.sqlite_guard import one_run_per_sqlite_database
from handlers.capability import OfficerCommand
from handlers.officer import OfficerError
from storage.migrate import upgrade

log = logging.getLogger(__name__)

CONNECT_HELP = """No Telegram or WhatsApp channel is configured, so the bot runs in this terminal.
To connect a platform, set in the environment or .env:
  Telegram: TELEGRAM_BOT_TOKEN (and TELEGRAM_WEBHOOK_URL + TELEGRAM_WEBHOOK_SECRET for webhooks)
  WhatsApp: WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN
The officers' dashboard is at {url}
  (the first admin: umkm-bot officer add admin --role admin).
Type a message (for example: halo) and press Enter; Ctrl-D quits.
"""


async def _chat(settings: Settings, user: str) -> None:
    # Imported where used, as bot.app does with the channels: officer commands load no platform SDK.
    from bot.channels.console import ConsoleChannel  # noqa: PLC0415

    app = await build_app(settings)
    try:
        await ConsoleChannel(app.router, app.renderer, user).run()
    finally:
        await app.close()


async def _run(settings: Settings) -> None:
    from bot.runner import Service  # noqa: PLC0415

    console = not (settings.telegram_enabled or settings.whatsapp_enabled)
    with contextlib.ExitStack() as held:
        with opening_database(settings):  # the run lock is a file beside an SQLite database
            held.enter_context(one_run_per_sqlite_database(settings.effective_database_url))
        app = await build_app(settings)
        try:
            if not console:
                await Service(app).run()
                return
            # No platform: the console chat in this terminal, beside the dashboard and the
            # scheduler, so that an agency trying the bot out sees the officers' side too.
            from bot.channels.console import ConsoleChannel  # noqa: PLC0415

            sys.stderr.write(
                CONNECT_HELP.format(url=f"{settings.effective_public_url.rstrip('/')}/dashboard/login")
            )
            chat = ConsoleChannel(app.router, app.renderer, "console")
            await Service(app).run(beside=chat.run)
        finally:
            await app.close()


async def _officer(settings: Settings, command: OfficerCommand, args: argparse.Namespace) -> None:
    app = await build_app(settings)
    try:
        await command.run(args, app.officer_context())
    finally:
        await app.close()


def _db_upgrade(settings: Settings) -> None:
    with opening_database(settings):
        upgrade(settings.effective_database_url)
    print("database is up to date")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="umkm-bot", description="Chat service for micro-business owners.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run every configured channel (the console when none is)")
    chat = commands.add_parser("chat", help="talk to the bot in this terminal, or script it through stdin")
    chat.add_argument("--user", default="console", help="console user id (default: console)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations")
    backup_command.add_commands(db_commands)
    outbox_command.add_commands(commands)
    for capability in CAPABILITIES:
        for command in capability.commands:
            sub = commands.add_parser(command.name, help=command.help, description=command.description)
            command.add_arguments(sub)
            sub.set_defaults(officer_command=command)
    return parser


def _quiet_unless_asked(settings: Settings) -> str:
    """Output for people: keep it free of INFO lines unless LOG_LEVEL was set."""
    return settings.log_level if "log_level" in settings.model_fields_set else "WARNING"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # python-telegram-bot 22: durations as timedelta (the coming default), without deprecation noise.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    configure_logging("WARNING")  # until the settings say otherwise
    try:
        settings = load_settings()
        # People read these: the chat, the console run, and officer commands' tables.
        for_people = args.command in ("chat", "run") or getattr(args, "officer_command", None) is not None
        configure_logging(_quiet_unless_asked(settings) if for_people else settings.log_level)
        action: Callable[[], Awaitable[None] | None]
        if args.command == "run":
            action = lambda: _run(settings)  # noqa: E731
        elif getattr(args, "officer_command", None) is not None:
            action = lambda: _officer(settings, args.officer_command, args)  # noqa: E731
        elif args.command == "outbox":
            action = lambda: outbox_command.run(args, settings)  # noqa: E731
        elif args.command == "chat":
            action = lambda: _chat(settings, args.user)  # noqa: E731
        elif args.command == "db" and args.db_command in ("backup", "restore"):
            action = lambda: backup_command.run(args, settings)  # noqa: E731
        else:
            action = lambda: _db_upgrade(settings)  # noqa: E731
        result = action()
        if result is not None:
            run_async(result)
    except (ConfigError, OfficerError) as exc:
        print(f"umkm-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # What read our output stopped reading (`| head`): as a Unix tool ends on SIGPIPE,
        # quietly; standard output goes nowhere, so flushing it at exit fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return 0


if __name__ == "__main__":
    sys.exit(main())
