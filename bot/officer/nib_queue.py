"""`umkm-bot nib-queue list|done REG_NO`: owners without an NIB who asked for help (antrean bantuan NIB)."""

from __future__ import annotations

import argparse

from bot.officer.common import OfficerError, agency_of, officer_name, open_database
from bot.settings import Settings
from handlers.rules import display_phone, region_name
from handlers.types import utcnow


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    queue = subparsers.add_parser("nib-queue", help="owners waiting for help to get an NIB")
    commands = queue.add_subparsers(dest="queue_command", required=True)
    commands.add_parser("list", help="open requests, oldest first")
    done = commands.add_parser("done", help="mark an owner's request as handled")
    done.add_argument("reg_no", help="registration number, e.g. BJB-2026-000123")


async def run(args: argparse.Namespace, settings: Settings) -> None:
    agency = agency_of(settings)
    async with open_database(settings) as db, db.transaction() as tx:
        if args.queue_command == "list":
            entries = await tx.nib_queue.pending()
            for entry in entries:
                since = entry.request.created_at.astimezone(agency.time_zone).strftime("%Y-%m-%d %H:%M")
                phone = display_phone(entry.owner.phone) if entry.owner.phone else "-"
                district = region_name(entry.business.district_code or "") or "-"
                print(
                    f"{entry.owner.reg_no}\t{since}\t{entry.owner.full_name}\t{phone}\t{entry.business.name}\t{district}"
                )
            print(f"{len(entries)} open request(s)")
            return
        found = await tx.owners.by_reg_no(args.reg_no.strip().upper())
        if found is None:
            raise OfficerError(f"no registration {args.reg_no!r}")
        owner = found[0]
        actor = officer_name()
        if await tx.nib_queue.mark_done(owner.id, at=utcnow(), by=actor) == 0:
            raise OfficerError(f"{owner.reg_no} has no open NIB help request")
        await tx.audit.record(actor=actor, action="nib_help.done", subject=f"owner:{owner.id}")
        print(f"{owner.reg_no}: NIB help marked done")
