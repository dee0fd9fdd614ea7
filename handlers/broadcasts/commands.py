"""`umkm-bot broadcast`: announcements to owners, by region, sector, size class and status.

    umkm-bot broadcast --template NAME | --text-file FILE [--kecamatan CODE] [--sector S]
                       [--size micro|small|medium] [--status active|inactive|unknown] [--dry-run] [--no-wait]
    umkm-bot broadcast status [ID]

A real run queues one outbox row per recipient and follows the running bot's progress
(Ctrl-C stops following, not sending); `status` prints the same figures later.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.app import App, build_app
from bot.officer.common import OfficerError, officer_name
from bot.officer.progress import Figures, RateMeter, progress_line
from bot.settings import Settings
from handlers.broadcasts import BroadcastError, announcement, queue_broadcast, template_name
from handlers.types import utcnow
from messages import LOCALES
from storage.repositories.broadcasts import AudienceFilter

SIZES = ("micro", "small", "medium")
STATUSES = ("active", "inactive", "unknown")
POLL_SECONDS = 1.0
RATE_WINDOW = timedelta(seconds=30)


CommandError = OfficerError


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "broadcast",
        help="send an announcement to registered owners (or: broadcast status [ID])",
        description="Queue an announcement for registered owners; the running bot sends it.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--template", metavar="NAME", help="message template under announcements/")
    source.add_argument(
        "--text-file", metavar="FILE", type=Path, help="a UTF-8 text file with the announcement"
    )
    parser.add_argument("--kecamatan", metavar="CODE", help="district (kecamatan) code, e.g. 63.72.01")
    parser.add_argument("--sector", metavar="S", help="sector id from the agency profile")
    parser.add_argument("--size", choices=SIZES, help="size class")
    parser.add_argument("--status", choices=STATUSES, help="business status")
    parser.add_argument("--dry-run", action="store_true", help="print the audience per channel, send nothing")
    parser.add_argument("--no-wait", action="store_true", help="queue and return without following progress")
    sub = parser.add_subparsers(dest="broadcast_command", required=False, metavar="status")
    status = sub.add_parser("status", help="progress of a broadcast (the latest one by default)")
    status.add_argument("id", nargs="?", type=int, help="broadcast id")


def run(args: argparse.Namespace, settings: Settings) -> Awaitable[None]:
    if args.broadcast_command == "status":
        return run_status(settings, args)
    return run_broadcast(settings, args)


def _filters(args: argparse.Namespace, app: App) -> AudienceFilter:
    if args.sector and app.agency.sector(args.sector) is None:
        known = ", ".join(s.id for s in app.agency.sectors)
        raise CommandError(f"--sector: unknown sector {args.sector!r} (known: {known})")
    return AudienceFilter(
        district_code=args.kecamatan, sector=args.sector, size_class=args.size, status=args.status
    )


def _reply_source(args: argparse.Namespace, app: App) -> tuple[str | None, str | None]:
    if args.template:
        name = template_name(args.template)
        for locale in LOCALES:
            if name not in app.renderer.template_names(locale):
                raise CommandError(f"--template: no message template {name!r} in locale {locale!r}")
        return args.template, None
    if args.text_file:
        try:
            return None, args.text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--text-file: cannot read {args.text_file}: {exc}") from None
    raise CommandError("broadcast: give --template NAME or --text-file FILE")


def _audience_line(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    per_channel = ", ".join(f"{channel} {count}" for channel, count in sorted(counts.items())) or "nobody"
    return f"audience: {total} ({per_channel})"


async def run_broadcast(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    app = await build_app(settings)
    try:
        template, text = _reply_source(args, app)
        filters = _filters(args, app)
        try:
            reply = announcement(template=template, text=text)
        except BroadcastError as exc:
            raise CommandError(f"broadcast: {exc}") from None
        if args.dry_run:
            async with app.db.transaction() as tx:
                counts = await tx.broadcasts.audience_counts(filters)
            print(_audience_line(counts), file=out)
            print("dry run: nothing was queued", file=out)
            return
        async with app.db.transaction() as tx:
            broadcast = await queue_broadcast(
                tx, officer=officer_name(), reply=reply, filters=filters, now=utcnow()
            )
        print(f"broadcast {broadcast.id} queued", file=out)
        print(_audience_line(broadcast.audience), file=out, flush=True)
        if not args.no_wait and broadcast.total:
            await follow(app, broadcast.id, out)
    finally:
        await app.close()


async def _figures(app: App, broadcast_id: int) -> Figures:
    async with app.db.transaction() as tx:
        return Figures.of(await tx.outbox.status_counts(broadcast_id=broadcast_id))


async def follow(app: App, broadcast_id: int, out: TextIO) -> Figures:
    """Print progress until nothing is waiting; a terminal gets one line redrawn."""
    meter = RateMeter()
    tty = out.isatty()
    last_line = ""
    while True:
        figures = await _figures(app, broadcast_id)
        line = progress_line(figures, meter.add(time.monotonic(), figures.sent))
        if tty:
            out.write("\r" + line.ljust(len(last_line)))
        elif line != last_line:
            out.write(line + "\n")
        out.flush()
        last_line = line
        if figures.done:
            if tty:
                out.write("\n")
            return figures
        await asyncio.sleep(POLL_SECONDS)


async def run_status(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    app = await build_app(settings)
    try:
        async with app.db.transaction() as tx:
            broadcast = await tx.broadcasts.get(args.id) if args.id else await tx.broadcasts.latest()
            if broadcast is None:
                raise CommandError(
                    f"broadcast status: no broadcast {args.id}" if args.id else "no broadcasts yet"
                )
            counts = await tx.outbox.status_counts(broadcast_id=broadcast.id)
            now = utcnow()
            recent = await tx.outbox.sent_since(now - RATE_WINDOW, broadcast_id=broadcast.id)
            errors = await tx.outbox.errors(broadcast_id=broadcast.id)
        figures = Figures.of(counts)
        what = f"template {broadcast.template}" if broadcast.template else "text"
        print(
            f"broadcast {broadcast.id} ({what}, queued {broadcast.created_at:%Y-%m-%d %H:%M} UTC)", file=out
        )
        if broadcast.filters:
            print("filters: " + ", ".join(f"{k}={v}" for k, v in broadcast.filters.items()), file=out)
        print(_audience_line(broadcast.audience), file=out)
        print(progress_line(figures, recent / RATE_WINDOW.total_seconds()), file=out)
        for reason, count in errors:
            print(f"  failed {count}: {reason}", file=out)
    finally:
        await app.close()
