"""`umkm-bot voucher …` and `umkm-bot courier …`: free-shipping programs, the counter's fallback
redemption, the monthly reconciliation, and the courier partners' redeemers.

    umkm-bot voucher program add --name NAME --courier NAME --quota N [--per-owner N]
        [--period month|week|program] [--max-ongkir RUPIAH] [--valid-days N]
        [--size-class mikro,...] [--kecamatan CODE,...] [--requires-current-data]
    umkm-bot voucher program list | pause ID --reason TEXT [--void-issued] | resume ID | close ID
    umkm-bot voucher redeem CODE --resi NUMBER --ongkir RUPIAH [--courier NAME] [--owner-pays-rest]
    umkm-bot voucher report --month YYYY-MM --format xlsx|csv -o FILE [--courier NAME]
    umkm-bot courier add --name NAME | remove --name NAME | list
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from handlers import spreadsheet
from handlers.capability import OfficerCommand
from handlers.officer import (
    OfficerContext,
    OfficerError,
    cannot_write,
    check_writable,
    export_format,
    record_id,
)
from handlers.vouchers.parsing import DEFAULT_MAX_ONGKIR, DEFAULT_VALID_DAYS, new_program, rupiah
from handlers.vouchers.programs import (
    ProgramError,
    add_courier,
    add_program,
    close,
    pause,
    program_summaries,
    remove_courier,
    resume,
)
from handlers.vouchers.redeeming import Redeemed, clean_resi, receipt_values, redeem, refusal_text
from handlers.vouchers.report import MonthError, report_words, write_report
from storage.models.vouchers import Courier, Period


def add_voucher_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="voucher_command", required=True)
    program = sub.add_parser("program", help="free-shipping programs").add_subparsers(
        dest="program_command", required=True
    )
    add = program.add_parser("add", help="a new program; prints its id")
    add.add_argument("--name", required=True)
    add.add_argument("--courier", required=True, help="courier partner (umkm-bot courier add --name NAME)")
    add.add_argument(
        "--quota", type=int, required=True, help="how many vouchers the program may issue in all"
    )
    add.add_argument(
        "--per-owner", type=int, default=1, help="vouchers one owner may hold per period (default 1)"
    )
    add.add_argument("--period", choices=[p.value for p in Period], default=Period.MONTH.value)
    add.add_argument(
        "--max-ongkir", default=str(DEFAULT_MAX_ONGKIR), help="most the agency pays per parcel (Rp25.000)"
    )
    add.add_argument(
        "--valid-days",
        type=int,
        default=DEFAULT_VALID_DAYS,
        help="days a voucher lasts after issue (default 30)",
    )
    add.add_argument(
        "--size-class", help="only these size classes, comma-separated: mikro,kecil,menengah,besar"
    )
    add.add_argument("--kecamatan", help="only these kecamatan: codes or names, comma-separated")
    add.add_argument(
        "--requires-current-data", action="store_true", help="data confirmed in the latest round"
    )
    program.add_parser("list", help="programs with issued and redeemed counts")
    paused = program.add_parser("pause", help="stop issuing; owners who ask are told the reason")
    paused.add_argument("id", type=record_id)
    paused.add_argument("--reason", required=True, help="what owners read, e.g. what to do meanwhile")
    paused.add_argument("--void-issued", action="store_true", help="also void unused vouchers")
    for name, text in (("resume", "issue again; owners who asked are told"), ("close", "end the program")):
        program.add_parser(name, help=text).add_argument("id", type=record_id)
    redeem_parser = sub.add_parser("redeem", help="the courier counter's fallback: redeem a code once")
    redeem_parser.add_argument("code")
    redeem_parser.add_argument("--resi", required=True, help="the parcel's receipt number")
    redeem_parser.add_argument("--ongkir", required=True, help="the shipping cost charged (Rp18.000)")
    redeem_parser.add_argument("--courier", help="the courier partner redeeming (default: the program's)")
    redeem_parser.add_argument(
        "--owner-pays-rest",
        action="store_true",
        help="ongkir above the program's max: the owner pays the difference",
    )
    report = sub.add_parser("report", help="the month's redemptions, to pay the courier")
    report.add_argument("--month", required=True, metavar="YYYY-MM")
    report.add_argument(
        "--format", choices=spreadsheet.FORMATS, help="file format (default: the file's extension)"
    )
    report.add_argument("-o", "--output", type=Path, required=True)
    report.add_argument("--courier", help="only this courier partner")


def refused(
    ctx: OfficerContext, code: str, values: Mapping[str, Any], flag: str = "--courier"
) -> OfficerError:
    """A refusal of `voucher` or `courier` in the officer's words (officer/vouchers/refused: a
    `ProgramError`'s code and values, as the dashboard's voucher_error words them); `flag` is the
    option that names the courier partner."""
    return ctx.refusal("vouchers/refused", {**values, "code": code, "flag": flag})


async def _courier(ctx: OfficerContext, name: str | None) -> Courier | None:
    if name is None:
        return None
    async with ctx.db.snapshot() as tx:
        courier = await tx.couriers.by_name(name)
    if courier is None:
        raise refused(ctx, "no_courier", {"courier": name})
    return courier


async def run_voucher(args: argparse.Namespace, ctx: OfficerContext) -> None:
    try:
        if args.voucher_command == "program":
            await _program(args, ctx)
        elif args.voucher_command == "redeem":
            await _redeem(args, ctx)
        else:
            await _report(args, ctx)
    except ProgramError as exc:
        raise refused(ctx, exc.code, exc.values) from None
    except MonthError:
        raise refused(ctx, "month", {"text": args.month}) from None


async def _program(args: argparse.Namespace, ctx: OfficerContext) -> None:
    command = args.program_command
    if command == "list":
        await _list(ctx)
        return
    async with ctx.db.transaction(f"voucher-program:{getattr(args, 'id', 'new')}") as tx:
        if command == "add":
            new = new_program(
                ctx.agency,
                name=args.name,
                courier=args.courier,
                quota=args.quota,
                per_owner=args.per_owner,
                period_text=args.period,
                max_ongkir=args.max_ongkir,
                valid_days=args.valid_days,
                sizes=args.size_class,
                kecamatan=args.kecamatan,
                requires_current_data=args.requires_current_data,
            )
            program = await add_program(tx, new, officer=ctx.actor, now=ctx.now())
            print(program.id, file=ctx.out)
            ctx.say("vouchers/program_added", {"id": program.id, "name": program.name}, err=True)
            return
        if command == "pause":
            program, voided, told = await pause(
                tx,
                args.id,
                reason=args.reason,
                void_issued=args.void_issued,
                officer=ctx.actor,
                now=ctx.now(),
            )
            ctx.say("vouchers/program_paused", {"id": program.id, "voided": voided, "told": told})
        elif command == "resume":
            program, told = await resume(tx, args.id, officer=ctx.actor, now=ctx.now())
            ctx.say("vouchers/program_resumed", {"id": program.id, "told": told})
        else:
            program, told = await close(tx, args.id, officer=ctx.actor, now=ctx.now())
            ctx.say("vouchers/program_closed", {"id": program.id, "told": told})


async def _list(ctx: OfficerContext) -> None:
    statuses = ctx.labels("labels/program_status")
    async with ctx.db.snapshot() as tx:
        summaries = await program_summaries(tx, now=ctx.now())
    for shown in summaries:
        ctx.say(
            "vouchers/program_line",
            {
                "program": shown.program,
                "status": statuses.get(shown.program.status, shown.program.status),
                "courier": shown.courier,
                "counts": shown.counts,
            },
        )
    if not summaries:
        ctx.say("vouchers/no_programs")


async def _redeem(args: argparse.Namespace, ctx: OfficerContext) -> None:
    courier = await _courier(ctx, args.courier)
    ongkir = rupiah(args.ongkir, flag="--ongkir")
    if not args.resi.strip():
        raise refused(ctx, "resi_missing", {})
    resi = clean_resi(args.resi)  # as the courier's chat and scan page read it
    if resi is None:
        raise refused(ctx, "resi_format", {"text": args.resi})
    async with ctx.db.transaction() as tx:
        outcome = await redeem(
            tx,
            args.code,
            resi=resi,
            ongkir=ongkir,
            courier=courier,
            actor=ctx.actor,
            now=ctx.now(),
            owner_pays_rest=args.owner_pays_rest,
        )
    if isinstance(outcome, Redeemed):
        ctx.say("vouchers/redeemed", receipt_values(outcome.view.voucher))
        return
    raise OfficerError(refusal_text(ctx, outcome))


async def _report(args: argparse.Namespace, ctx: OfficerContext) -> None:
    output: Path = args.output
    file_format = export_format(ctx, output, args.format, spreadsheet.FORMATS)
    check_writable(ctx, output)
    courier = await _courier(ctx, args.courier)
    try:
        totals = await write_report(
            ctx.db,
            output,
            file_format,
            month=args.month,
            zone=ctx.agency.time_zone,
            words=report_words(ctx, args.month.strip()),
            courier_id=courier.id if courier else None,
            officer=ctx.actor,
        )
    except OSError as exc:
        raise cannot_write(ctx, output, exc) from None
    ctx.say("vouchers/report_written", {"path": str(output), "totals": totals, "month": args.month}, err=True)


def add_courier_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="courier_command", required=True)
    sub.add_parser(
        "add", help="a courier partner (if new) and a one-time link code for one of its staff"
    ).add_argument("--name", required=True)
    sub.add_parser("remove", help="revoke every redeemer of a courier partner").add_argument(
        "--name", required=True
    )
    sub.add_parser("list", help="courier partners and how many redeemers each has")


async def run_courier(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.courier_command == "list":
        async with ctx.db.snapshot() as tx:
            active = await tx.couriers.active()
        for courier, staff in active:
            print(f"{courier.name}\t{staff}", file=ctx.out)
        return
    try:
        async with ctx.db.transaction() as tx:
            if args.courier_command == "add":
                courier, code = await add_courier(tx, args.name, officer=ctx.actor, now=ctx.now())
                ctx.say("vouchers/courier_code", {"courier": courier.name, "code": code})
            else:
                courier, revoked = await remove_courier(tx, args.name, officer=ctx.actor, now=ctx.now())
                ctx.say("vouchers/courier_removed", {"courier": courier.name, "revoked": revoked})
    except ProgramError as exc:
        raise refused(ctx, exc.code, exc.values, flag="--name") from None


VOUCHER_COMMAND = OfficerCommand(
    name="voucher",
    help="free-shipping vouchers (gratis ongkir): programs, redeem, the monthly report",
    add_arguments=add_voucher_arguments,
    run=run_voucher,
)
COURIER_COMMAND = OfficerCommand(
    name="courier",
    help="courier partners and the staff who redeem vouchers by chat",
    add_arguments=add_courier_arguments,
    run=run_courier,
)
