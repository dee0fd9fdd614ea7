"""`umkm-bot broadcast`: announcements to owners, by region, sector, size class and status.

    umkm-bot broadcast --template NAME | --text-file FILE [--kecamatan CODE] [--sector S]
                       [--size mikro|kecil|menengah|besar] [--status active|inactive|closed|unknown] [--dry-run] [--no-wait]
    umkm-bot broadcast status [ID]

A real run queues one outbox row per recipient and follows the running bot's progress
(Ctrl-C stops following, not sending); `status` prints the same figures later.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from handlers.broadcasts.progress import Figures, RateMeter, progress_values
from handlers.broadcasts.service import (
    BroadcastError,
    audience_filter,
    broadcast_status,
    compose,
    queue_broadcast,
)
from handlers.capability import OfficerCommand
from handlers.officer import (
    SIZE_CLASS_METAVAR,
    OfficerContext,
    OfficerError,
    cannot_read,
    record_id,
    size_class_arg,
)
from handlers.types import Reply
from storage.models.registration import BusinessStatus
from storage.repositories.audience import AudienceFilter

POLL_SECONDS = 1.0
#: The option a `BroadcastError`'s field stands for, when it is not `--<field>`.
OPTIONS = {"text": "--text-file", "source": None}


def refused(
    ctx: OfficerContext, code: str, values: Mapping[str, Any], field: str | None = None
) -> OfficerError:
    """A refusal of `broadcast` in the officer's words (officer/broadcast/refused: a
    `BroadcastError`'s code and values, as the dashboard's broadcast_error words them), after the
    option it is about (as the dashboard marks the form's field of the same name)."""
    flag = OPTIONS.get(field or "source", f"--{field}")
    return ctx.refusal("broadcast/refused", {**values, "code": code, "flag": flag})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--template", metavar="NAME", help="message template under announcements/")
    source.add_argument(
        "--text-file", metavar="FILE", type=Path, help="a UTF-8 text file with the announcement"
    )
    parser.add_argument("--kecamatan", help="only this kecamatan: code (63.72.02) or name (Landasan Ulin)")
    parser.add_argument("--sector", metavar="S", help="sector id from the agency profile")
    parser.add_argument(
        "--size",
        type=size_class_arg,
        metavar=SIZE_CLASS_METAVAR,
        help="size class (micro, small, medium, large are read too)",
    )
    parser.add_argument("--status", choices=[s.value for s in BusinessStatus], help="business status")
    parser.add_argument("--dry-run", action="store_true", help="print the audience per channel, send nothing")
    parser.add_argument("--no-wait", action="store_true", help="queue and return without following progress")
    sub = parser.add_subparsers(dest="broadcast_command", required=False, metavar="status")
    status = sub.add_parser("status", help="progress of a broadcast (the latest one by default)")
    status.add_argument("id", nargs="?", type=record_id, help="broadcast id")


async def run(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.broadcast_command == "status":
        await run_status(args, ctx)
    else:
        await run_broadcast(args, ctx)


def _filters(args: argparse.Namespace, ctx: OfficerContext) -> AudienceFilter:
    try:
        return audience_filter(
            ctx.agency, kecamatan=args.kecamatan, sector=args.sector, size=args.size, status=args.status
        )
    except BroadcastError as exc:
        raise refused(ctx, exc.code, exc.values, exc.field) from None


def _reply(args: argparse.Namespace, ctx: OfficerContext) -> Reply:
    template: str | None = None
    text: str | None = None
    if args.template:
        template = args.template
    elif args.text_file:
        try:
            text = args.text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise cannot_read(ctx, "--text-file", args.text_file, exc) from None
    try:
        return compose(ctx.renderer, template=template, text=text)
    except BroadcastError as exc:
        raise refused(ctx, exc.code, exc.values, exc.field) from None


def _audience(counts: dict[str, int]) -> dict[str, object]:
    return {"total": sum(counts.values()), "per_channel": sorted(counts.items())}


async def run_broadcast(args: argparse.Namespace, ctx: OfficerContext) -> None:
    reply = _reply(args, ctx)
    filters = _filters(args, ctx)
    if args.dry_run:
        async with ctx.db.snapshot() as tx:
            counts = await tx.broadcasts.audience_counts(filters)
        ctx.say("broadcast/audience", _audience(counts))
        ctx.say("broadcast/dry_run")
        return
    async with ctx.db.transaction() as tx:
        broadcast = await queue_broadcast(tx, officer=ctx.actor, reply=reply, filters=filters, now=ctx.now())
    ctx.say("broadcast/queued", {"id": broadcast.id})
    ctx.say("broadcast/audience", _audience(broadcast.audience))
    if not args.no_wait and broadcast.total:
        await follow(ctx, broadcast.id)


async def _figures(ctx: OfficerContext, broadcast_id: int) -> Figures:
    async with ctx.db.snapshot() as tx:
        return Figures.of(await tx.outbox.status_counts(broadcast_id=broadcast_id))


async def follow(ctx: OfficerContext, broadcast_id: int) -> Figures:
    """Print progress until nothing is waiting; a terminal gets one line redrawn."""
    meter = RateMeter()
    out = ctx.out
    tty = out.isatty()
    last_line = ""
    while True:
        figures = await _figures(ctx, broadcast_id)
        line = ctx.text(
            "broadcast/progress", progress_values(figures, meter.add(time.monotonic(), figures.sent))
        )
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


async def run_status(args: argparse.Namespace, ctx: OfficerContext) -> None:
    async with ctx.db.snapshot() as tx:
        status = await broadcast_status(tx, args.id, now=ctx.now())
    if status is None:
        raise refused(ctx, "no_broadcast", {"id": args.id})
    broadcast, figures = status.broadcast, status.figures
    ctx.say(
        "broadcast/status",
        {
            "id": broadcast.id,
            "template": broadcast.template,
            "created_at": broadcast.created_at,
            "filters": sorted(broadcast.filters.items()),
            **_audience(broadcast.audience),
            "progress": ctx.text("broadcast/progress", progress_values(figures, status.rate)),
            "errors": status.errors,
        },
    )


COMMAND = OfficerCommand(
    name="broadcast",
    help="send an announcement to registered owners (or: broadcast status [ID])",
    description="Queue an announcement for registered owners; the running bot sends it.",
    add_arguments=add_arguments,
    run=run,
)
