"""`umkm-bot update-round`: data-update rounds (pembaruan data).

umkm-bot update-round open --deadline YYYY-MM-DD [--note TEXT]
umkm-bot update-round stats [--round ID]
umkm-bot update-round export -o FILE.xlsx [--round ID]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import date
from pathlib import Path

from handlers.capability import OfficerCommand
from handlers.officer import (
    OfficerContext,
    OfficerError,
    StaffContext,
    cannot_write,
    check_writable,
    export_format,
    record_id,
)
from handlers.update_round.planner import DeadlineInPast, RoundStillOpen, check_deadline, open_round
from handlers.update_round.report import OUTCOMES, export_round, round_report
from storage.models.update_round import UpdateRound
from storage.repositories import Transaction
from storage.repositories.update_rounds import StatsRow


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="round_command", required=True)
    opening = sub.add_parser("open", help="ask every registered owner whether the business still runs")
    opening.add_argument("--deadline", required=True, metavar="YYYY-MM-DD", help="last day to answer")
    opening.add_argument("--note", metavar="TEXT", help="a line added to the owners' message")
    stats = sub.add_parser("stats", help="answers by kecamatan and size class")
    stats.add_argument("--round", type=record_id, metavar="ID", help="round id (default: the latest)")
    export = sub.add_parser("export", help="every answer of a round to an XLSX file (audited)")
    export.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    export.add_argument("--round", type=record_id, metavar="ID", help="round id (default: the latest)")


async def run(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.round_command == "open":
        await run_open(args, ctx)
    elif args.round_command == "export":
        await run_export(args, ctx)
    else:
        await run_stats(args, ctx)


def refused(ctx: OfficerContext, code: str, **values: object) -> OfficerError:
    """A refusal of `update-round` in the officer's words (officer/update_round/refused)."""
    return ctx.refusal("update_round/refused", {"code": code, **values})


def _deadline(ctx: OfficerContext, text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise refused(ctx, "deadline_bad", text=text) from None
    try:
        return check_deadline(value, ctx.today())
    except DeadlineInPast:
        raise refused(ctx, "deadline_past", deadline=value) from None


async def run_open(args: argparse.Namespace, ctx: OfficerContext) -> None:
    deadline = _deadline(ctx, args.deadline)
    async with ctx.db.transaction("update-round:open") as tx:
        try:
            round_row, invited = await open_round(
                tx, officer=ctx.actor, deadline=deadline, note=args.note, now=ctx.now()
            )
        except RoundStillOpen as exc:
            raise refused(ctx, "still_open", id=exc.id, deadline=exc.deadline) from None
    ctx.say("update_round/opened", {"id": round_row.id, "deadline": deadline, "invited": invited})


def table(title: str, rows: dict[str, dict[str, int]], columns: dict[str, str], total: str) -> list[str]:
    """Rows of counts per outcome, a total column and a total row, aligned for a terminal (a
    column as wide as its header: the officer's words for an outcome may be long)."""
    width = max([len(title), len(total), *(len(k) for k in rows), 5]) + 2
    cell = max(11, *(len(columns[o]) for o in OUTCOMES)) + 2
    last = max(7, len(columns["total"])) + 2
    header = "".join(f"{columns[o]:>{cell}}" for o in OUTCOMES)
    lines = [f"{title:<{width}}{header}{columns['total']:>{last}}"]
    totals: dict[str, int] = defaultdict(int)
    for label, counts in rows.items():
        for outcome in OUTCOMES:
            totals[outcome] += counts.get(outcome, 0)
        cells = "".join(f"{counts.get(o, 0):>{cell}}" for o in OUTCOMES)
        lines.append(f"{label:<{width}}{cells}{sum(counts.values()):>{last}}")
    cells = "".join(f"{totals[o]:>{cell}}" for o in OUTCOMES)
    lines.append(f"{total:<{width}}{cells}{sum(totals.values()):>{last}}")
    return lines


def report(rows: list[StatsRow], ctx: OfficerContext) -> None:
    columns = ctx.labels("update_round/columns")
    titles = ctx.labels("update_round/rows")
    sizes = ctx.labels("labels/size_class")
    figures = round_report(rows)
    for title, grouped in (
        (titles["district"], figures.by_district),
        (titles["size_class"], {sizes.get(s, s): counts for s, counts in figures.by_size.items()}),
    ):
        print(file=ctx.out)
        print("\n".join(table(title, grouped, columns, titles["total"])), file=ctx.out)
    print(file=ctx.out)
    ctx.say("update_round/summary", {**figures.totals, "names": columns})


async def chosen_round(tx: Transaction, round_id: int | None) -> UpdateRound | None:
    """The round asked for, or the latest one."""
    return await tx.update_rounds.get(round_id) if round_id else await tx.update_rounds.latest()


async def write_results(ctx: StaffContext, round_row: UpdateRound, output: Path) -> int:
    """A round's answers to `output` in the officer's words (the command and the Unduh page)."""
    return await export_round(
        ctx.db,
        round_row,
        output,
        agency=ctx.agency,
        sheet=ctx.text("update_round/export_sheet"),
        headers=ctx.lines("update_round/export_columns"),
        outcomes=ctx.labels("update_round/columns"),
        sizes=ctx.labels("labels/size_class"),
        officer=ctx.actor,
    )


async def run_export(args: argparse.Namespace, ctx: OfficerContext) -> None:
    output: Path = args.output
    export_format(ctx, output, None, ("xlsx",))
    check_writable(ctx, output)
    async with ctx.db.snapshot() as tx:
        round_row = await chosen_round(tx, args.round)
    if round_row is None:
        raise refused(ctx, "no_round", id=args.round)
    try:
        count = await write_results(ctx, round_row, output)
    except OSError as exc:
        raise cannot_write(ctx, output, exc) from None
    ctx.say("owners/exported", {"count": count, "path": str(output)}, err=True)


async def run_stats(args: argparse.Namespace, ctx: OfficerContext) -> None:
    async with ctx.db.snapshot() as tx:
        rounds = tx.update_rounds
        round_row = await chosen_round(tx, args.round)
        if round_row is None:
            raise refused(ctx, "no_round", id=args.round)
        rows = await rounds.stats(round_row)
    ctx.say(
        "update_round/stats_title",
        {"id": round_row.id, "deadline": round_row.deadline, "closed": round_row.closed_at is not None},
    )
    report(rows, ctx)


COMMAND = OfficerCommand(
    name="update-round",
    help="data-update rounds (pembaruan data)",
    add_arguments=add_arguments,
    run=run,
)
