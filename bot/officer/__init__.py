"""Officer commands (`umkm-bot owners …`, `umkm-bot nib-queue …`): wiring only, behaviour in the modules.

Each module adds its subcommands with `add_commands(subparsers)`; `run(args, settings)` dispatches.
"""

from __future__ import annotations

import argparse

from bot.officer import broadcast, nib_queue, owners, update_round
from bot.officer.common import OfficerError
from bot.outbox import command as outbox_command
from bot.settings import Settings

COMMANDS = {
    "owners": owners.run,
    "nib-queue": nib_queue.run,
    "broadcast": broadcast.run,
    "outbox": outbox_command.run,
    "update-round": update_round.run,
}


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    owners.add_commands(subparsers)
    nib_queue.add_commands(subparsers)
    broadcast.add_commands(subparsers)
    outbox_command.add_commands(subparsers)
    update_round.add_commands(subparsers)


def handles(args: argparse.Namespace) -> bool:
    return args.command in COMMANDS


async def run(args: argparse.Namespace, settings: Settings) -> None:
    await COMMANDS[args.command](args, settings)


__all__ = ["OfficerError", "add_commands", "handles", "run"]
