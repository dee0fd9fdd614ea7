"""`umkm-bot training`: trainings (pelatihan) for officers. Times are agency time (WITA).

    training add --title TEXT --topic TOPIC --starts "YYYY-MM-DD HH:MM" --ends "YYYY-MM-DD HH:MM"
                 (--venue TEXT --kecamatan CODE | --online URL) --capacity N [--deadline "…"]
                 [--sector S,...] [--size-class C,...] [--target-kecamatan CODE,...]
                 [--open-to-public] [--description-file FILE]         prints the new training's id
    training list | show ID | edit ID [the flags of add] | cancel ID --reason TEXT
    training announce ID [--dry-run]
    training participants ID [--format xlsx|csv] [-o FILE]     (--format csv alone: CSV to stdout)
    training checkin-code ID [--date YYYY-MM-DD] | checkin ID REG_NO_OR_PHONE
    training certificate ID REG_NO_OR_PHONE [-o FILE]
    training stats [--year YYYY]

This module parses and prints; the domain functions (schedule, attendance, stats) act and
write the audit entries. Reports are in `reports`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from handlers.capability import OfficerCommand
from handlers.officer import OfficerContext, OfficerError, cannot_read, record_id
from handlers.trainings import reports
from handlers.trainings.kinds import training_values
from handlers.trainings.planning import TypedPlan, items, read_plan
from handlers.trainings.reports import refused
from handlers.trainings.schedule import (
    TrainingError,
    TrainingPlan,
    announce,
    announcement_audience,
    cancel_training,
    create_training,
    edit_training,
)
from handlers.trainings.seats import Seating


def _plan_flags(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--title", required=required, metavar="TEXT")
    parser.add_argument(
        "--topic", required=required, metavar="TOPIC", help="a topic id from the agency profile"
    )
    parser.add_argument("--starts", required=required, metavar='"YYYY-MM-DD HH:MM"', help="agency time")
    parser.add_argument("--ends", required=required, metavar='"YYYY-MM-DD HH:MM"', help="agency time")
    parser.add_argument("--venue", metavar="TEXT", help="the place (with --kecamatan)")
    parser.add_argument("--kecamatan", metavar="CODE", help="the venue's kecamatan: code (63.72.02) or name")
    parser.add_argument("--online", metavar="URL", help="the link of an online training (instead of a venue)")
    parser.add_argument("--capacity", type=int, required=required, metavar="N", help="seats")
    parser.add_argument("--deadline", metavar='"YYYY-MM-DD HH:MM"', help="sign-ups close then (agency time)")
    parser.add_argument("--sector", metavar="S,...", help="only owners of these sectors")
    parser.add_argument(
        "--size-class",
        metavar="C,...",
        help="only these size classes (mikro, kecil, menengah, besar; or micro, small, ...)",
    )
    parser.add_argument("--target-kecamatan", metavar="CODE,...", help="only owners in these kecamatan")
    parser.add_argument("--description-file", type=Path, metavar="FILE", help="a UTF-8 text describing it")
    if required:
        parser.add_argument(
            "--open-to-public", action="store_true", help="people who are not registered may sign up"
        )
    else:
        parser.add_argument(
            "--open-to-public", action=argparse.BooleanOptionalAction, default=None, help="open it, or not"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="training_command", required=True)
    _plan_flags(sub.add_parser("add", help="schedule a training; prints its id"), required=True)
    sub.add_parser("list", help="trainings, soonest first")
    show = sub.add_parser("show", help="one training in full")
    show.add_argument("id", type=record_id)
    edit = sub.add_parser("edit", help="change a training (participants are told of a new time or place)")
    edit.add_argument("id", type=record_id)
    _plan_flags(edit, required=False)
    cancel = sub.add_parser("cancel", help="cancel a training (participants and the waiting list are told)")
    cancel.add_argument("id", type=record_id)
    cancel.add_argument("--reason", required=True, metavar="TEXT", help="what participants read")
    announce_ = sub.add_parser("announce", help="announce it to the owners it targets, with a one-tap Daftar")
    announce_.add_argument("id", type=record_id)
    announce_.add_argument(
        "--dry-run", action="store_true", help="print the audience per channel, send nothing"
    )
    reports.add_arguments(sub)


def _typed(args: argparse.Namespace, ctx: OfficerContext) -> TypedPlan:
    """The flags as typed; the description read from its file."""
    description = None
    if args.description_file is not None:
        try:
            description = args.description_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise cannot_read(ctx, "--description-file", args.description_file, exc) from None
    lists = (args.sector, args.size_class, args.target_kecamatan)
    sectors, sizes, kecamatan = (items(text) if text is not None else None for text in lists)
    return TypedPlan(
        title=args.title,
        topic=args.topic,
        starts=args.starts,
        ends=args.ends,
        deadline=args.deadline,
        capacity=args.capacity,
        venue=args.venue,
        kecamatan=args.kecamatan,
        online=args.online,
        sectors=sectors,
        size_classes=sizes,
        target_kecamatan=kecamatan,
        open_to_public=args.open_to_public,
        description=description,
    )


def _changes(args: argparse.Namespace, ctx: OfficerContext, *, whole: bool) -> dict[str, Any]:
    """The plan's fields the flags give, read as the dashboard's form reads them."""
    try:
        return read_plan(ctx.agency, _typed(args, ctx), whole=whole)
    except TrainingError as exc:
        raise _refused(ctx, exc) from None


def _refused(ctx: OfficerContext, exc: TrainingError) -> OfficerError:
    """The first problem, in the officer's words, after the option it is about."""
    return refused(ctx, exc.code, exc.values, exc.field)


def _seating(ctx: OfficerContext) -> Seating:
    return Seating(ctx.agency, ctx.config.training_offer)


async def run_add(args: argparse.Namespace, ctx: OfficerContext) -> None:
    changes = _changes(args, ctx, whole=True)
    try:
        plan = TrainingPlan(**changes)
        async with ctx.db.transaction("training:add") as tx:
            training = await create_training(tx, officer=ctx.actor, plan=plan, now=ctx.now())
    except TrainingError as exc:
        raise _refused(ctx, exc) from None
    print(training.id, file=ctx.out, flush=True)
    ctx.say("trainings/added", {"training": training_values(training, ctx.agency)}, err=True)


async def run_edit(args: argparse.Namespace, ctx: OfficerContext) -> None:
    changes = _changes(args, ctx, whole=False)
    if not changes:
        raise refused(ctx, "no_changes", {})
    try:
        async with ctx.db.transaction("training:edit") as tx:
            edited = await edit_training(
                tx, _seating(ctx), officer=ctx.actor, training_id=args.id, changes=changes, now=ctx.now()
            )
    except TrainingError as exc:
        raise _refused(ctx, exc) from None
    fields = ctx.labels("trainings/fields")
    ctx.say(
        "trainings/edited",
        {
            "training": training_values(edited.training, ctx.agency),
            "changed": [fields.get(name, name) for name in edited.changed],
            "notified": edited.notified,
            "offered": edited.offered,
            "moved": edited.moved,
        },
    )


async def run_cancel(args: argparse.Namespace, ctx: OfficerContext) -> None:
    try:
        async with ctx.db.transaction("training:cancel") as tx:
            training, notified = await cancel_training(
                tx, _seating(ctx), officer=ctx.actor, training_id=args.id, reason=args.reason, now=ctx.now()
            )
    except TrainingError as exc:
        raise _refused(ctx, exc) from None
    ctx.say("trainings/cancelled", {"training": training_values(training, ctx.agency), "notified": notified})


async def run_announce(args: argparse.Namespace, ctx: OfficerContext) -> None:
    try:
        if args.dry_run:
            async with ctx.db.snapshot() as tx:
                counts = await announcement_audience(tx, args.id, ctx.now())
            ctx.say(
                "broadcast/audience", {"total": sum(counts.values()), "per_channel": sorted(counts.items())}
            )
            ctx.say("broadcast/dry_run")
            return
        async with ctx.db.transaction("training:announce") as tx:
            training, queued = await announce(
                tx, _seating(ctx), officer=ctx.actor, training_id=args.id, now=ctx.now()
            )
    except TrainingError as exc:
        raise _refused(ctx, exc) from None
    ctx.say(
        "trainings/announced",
        {"training": training_values(training, ctx.agency), "queued": queued, "targeted": training.targeted},
    )


async def run(args: argparse.Namespace, ctx: OfficerContext) -> None:
    commands = {
        "add": run_add,
        "edit": run_edit,
        "cancel": run_cancel,
        "announce": run_announce,
        **reports.COMMANDS,
    }
    await commands[args.training_command](args, ctx)


COMMAND = OfficerCommand(
    name="training",
    help="trainings (pelatihan): schedule, announce, participants, check-in, certificates, figures",
    description="Trainings for owners: times are agency time; sign-ups, reminders and certificates go by chat.",
    add_arguments=add_arguments,
    run=run,
)
