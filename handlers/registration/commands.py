"""`umkm-bot owners list|export` and `umkm-bot nib-queue list|done REG_NO`: registered
businesses and the NIB help queue (antrean bantuan NIB) for officers; exports are audited."""

from __future__ import annotations

import argparse
from pathlib import Path

from handlers import spreadsheet
from handlers.capability import OfficerCommand
from handlers.officer import (
    SIZE_CLASS_METAVAR,
    OfficerContext,
    OfficerError,
    cannot_write,
    check_writable,
    export_format,
    size_class_arg,
)
from handlers.registration.admin import (
    OFFICER_STATUSES,
    NoNib,
    NoOpenRequest,
    NoReason,
    NoSuchOwner,
    UnknownDistrict,
    UnknownSector,
    district_code,
    export_labels,
    export_owners,
    nib_help_done,
    owner_filter,
    record_state,
    set_business_status,
    verify_nib,
)
from handlers.registration.import_commands import add_import_arguments, run_import, run_invite
from handlers.rules import display_phone, region_name
from storage.crypto import DecryptionError
from storage.models.registration import BusinessStatus
from storage.repositories.registration import OwnerFilter


def add_owners_arguments(owners: argparse.ArgumentParser) -> None:
    commands = owners.add_subparsers(dest="owners_command", required=True)
    listing = commands.add_parser("list", help="list registered businesses")
    _add_filters(listing)
    export = commands.add_parser("export", help="export registered businesses to a file (audited)")
    export.add_argument(
        "--format", choices=spreadsheet.FORMATS, help="file format (default: the file's extension)"
    )
    export.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    export.add_argument(
        "--with-nik", action="store_true", help="include full NIKs (recorded in the audit log)"
    )
    _add_filters(export)
    status = commands.add_parser("set-status", help="mark a business active, inactive or closed (audited)")
    status.add_argument("reg_no", help="registration number, e.g. BJB-2026-000123")
    status.add_argument("status", choices=OFFICER_STATUSES, help="the business's status")
    status.add_argument("--reason", required=True, help="why (shown to the owner)")
    verify = commands.add_parser("verify-nib", help="mark a business's NIB as checked in OSS (audited)")
    verify.add_argument("reg_no", help="registration number, e.g. BJB-2026-000123")
    add_import_arguments(commands, DISTRICT_HELP)


DISTRICT_HELP = "district: Kemendagri code (63.72.02) or name (Landasan Ulin)"


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kecamatan", help=DISTRICT_HELP)
    parser.add_argument("--sector", help="sector id from the agency profile (kuliner, jasa, ...)")
    parser.add_argument(
        "--size-class",
        type=size_class_arg,
        metavar=SIZE_CLASS_METAVAR,
        help="size class under PP 7/2021 (micro, small, medium, large are read too)",
    )


def refused(ctx: OfficerContext, code: str, **values: object) -> OfficerError:
    """A refusal of `owners` or `nib-queue`, in the officer's words (officer/owners/refused)."""
    return ctx.refusal("owners/refused", {"code": code, **values})


def _district(args: argparse.Namespace, ctx: OfficerContext) -> str | None:
    if not args.kecamatan:
        return None
    try:
        return district_code(ctx.agency, args.kecamatan)
    except UnknownDistrict:
        raise refused(ctx, "kecamatan", word=args.kecamatan) from None


def _filter(args: argparse.Namespace, ctx: OfficerContext) -> OwnerFilter:
    try:
        return owner_filter(
            ctx.agency, kecamatan=args.kecamatan, sector=args.sector, size_class=args.size_class
        )
    except UnknownDistrict:
        raise refused(ctx, "kecamatan", word=args.kecamatan) from None
    except UnknownSector:
        raise refused(ctx, "sector", word=args.sector, known=[s.id for s in ctx.agency.sectors]) from None


async def run_owners(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.owners_command in ("set-status", "verify-nib"):
        await _correct(args, ctx)
        return
    if args.owners_command == "import":
        await run_import(args, ctx)
        return
    if args.owners_command == "invite":
        await run_invite(args, ctx, _district(args, ctx))
        return
    where = _filter(args, ctx)
    if args.owners_command == "list":
        await _list(ctx, where)
    else:
        await _export(ctx, where, args)


async def _list(ctx: OfficerContext, where: OwnerFilter) -> None:
    count = 0
    labels = export_labels(ctx)  # the export's words for sectors, size classes and states
    # A snapshot: printed to a slow terminal, 100,000 lines would otherwise hold the bot's writes.
    async with ctx.db.snapshot() as tx:
        async for owner, business in tx.owners.stream(where):
            district = region_name(business.district_code or "") or "-"
            sector = labels.sectors.get(business.sector or "", business.sector or "-")
            size = labels.sizes.get(business.size_class or "", business.size_class or "-")
            state = labels.states[record_state(owner)]
            print(
                f"{owner.reg_no}\t{business.name}\t{owner.full_name}\t{district}\t{sector}\t{size}\t{state}",
                file=ctx.out,
            )
            count += 1
    ctx.say("owners/listed", {"count": count}, err=True)


async def _export(ctx: OfficerContext, where: OwnerFilter, args: argparse.Namespace) -> None:
    output: Path = args.output
    file_format = export_format(ctx, output, args.format, spreadsheet.FORMATS)
    check_writable(ctx, output)
    labels = export_labels(ctx)
    try:
        count = await export_owners(
            ctx.db,
            output,
            file_format,
            agency=ctx.agency,
            labels=labels,
            where=where,
            with_nik=args.with_nik,
            officer=ctx.actor,
            progress=lambda rows: ctx.say("owners/export_progress", {"count": rows}, err=True),
        )
    except DecryptionError:
        raise refused(ctx, "secret_key") from None
    except OSError as exc:
        raise cannot_write(ctx, output, exc) from None
    ctx.say("owners/exported", {"count": count, "path": str(output)}, err=True)


async def _correct(args: argparse.Namespace, ctx: OfficerContext) -> None:
    try:
        async with ctx.db.transaction() as tx:
            if args.owners_command == "set-status":
                owner, business = await set_business_status(
                    tx,
                    args.reg_no,
                    BusinessStatus(args.status),
                    reason=args.reason,
                    officer=ctx.actor,
                    now=ctx.now(),
                )
            else:
                owner, business = await verify_nib(tx, args.reg_no, officer=ctx.actor, now=ctx.now())
    except NoReason:
        raise refused(ctx, "reason_missing") from None
    except NoSuchOwner:
        raise refused(ctx, "no_registration", reg_no=args.reg_no) from None
    except NoNib:
        raise refused(ctx, "no_nib", reg_no=args.reg_no) from None
    statuses = ctx.labels("labels/business_status")
    ctx.say(
        "owners/corrected",
        {"reg_no": owner.reg_no, "status": statuses[business.status], "nib_verified": business.nib_verified},
    )


def add_queue_arguments(queue: argparse.ArgumentParser) -> None:
    commands = queue.add_subparsers(dest="queue_command", required=True)
    commands.add_parser("list", help="open requests, oldest first")
    done = commands.add_parser("done", help="mark an owner's request as handled")
    done.add_argument("reg_no", help="registration number, e.g. BJB-2026-000123")


async def run_queue(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.queue_command == "list":
        async with ctx.db.snapshot() as tx:
            entries = await tx.nib_queue.pending()
        for entry in entries:
            since = ctx.local(entry.request.created_at).strftime("%Y-%m-%d %H:%M")
            phone = display_phone(entry.owner.phone) if entry.owner.phone else "-"
            district = region_name(entry.business.district_code or "") or "-"
            print(
                f"{entry.owner.reg_no}\t{since}\t{entry.owner.full_name}\t{phone}\t{entry.business.name}\t{district}",
                file=ctx.out,
            )
        ctx.say("nib_queue/count", {"count": len(entries)})
        return
    async with ctx.db.transaction() as tx:
        try:
            reg_no = await nib_help_done(tx, args.reg_no, officer=ctx.actor, now=ctx.now())
        except NoOpenRequest as exc:
            code = "no_nib_request" if exc.registered else "no_registration"
            raise refused(ctx, code, reg_no=args.reg_no) from None
    ctx.say("nib_queue/done", {"reg_no": reg_no})


OWNERS_COMMAND = OfficerCommand(
    name="owners",
    help="registered businesses (list, export, set-status, verify-nib, import, invite)",
    add_arguments=add_owners_arguments,
    run=run_owners,
)
NIB_QUEUE_COMMAND = OfficerCommand(
    name="nib-queue",
    help="owners waiting for help to get an NIB",
    add_arguments=add_queue_arguments,
    run=run_queue,
)
