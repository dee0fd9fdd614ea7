"""`umkm-bot update-round`: data-update rounds (pembaruan data).

umkm-bot update-round open --deadline YYYY-MM-DD [--note TEXT]
umkm-bot update-round stats [--round ID]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import date

from handlers.capability import OfficerCommand
from handlers.officer import OfficerContext, OfficerError
from handlers.rules import region_name
from handlers.update_round.planner import open_round
from storage.models.update_round import ACTIVE, CLOSED, NO_RESPONSE
from storage.repositories.update_rounds import WAITING, StatsRow

OUTCOMES = (ACTIVE, CLOSED, NO_RESPONSE, WAITING)
SIZES = ("micro", "small", "medium", "large")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="round_command", required=True)
    opening = sub.add_parser("open", help="ask every registered owner whether the business still runs")
    opening.add_argument("--deadline", required=True, metavar="YYYY-MM-DD", help="last day to answer")
    opening.add_argument("--note", metavar="TEXT", help="a line added to the owners' message")
    stats = sub.add_parser("stats", help="answers by kecamatan and size class")
    stats.add_argument("--round", type=int, metavar="ID", help="round id (default: the latest)")


async def run(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.round_command == "open":
        await run_open(args, ctx)
    else:
        await run_stats(args, ctx)


def _deadline(text: str, today: date) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise OfficerError(f"--deadline: not a date like 2026-03-31: {text!r}") from None
    if value < today:
        raise OfficerError(f"--deadline: {value.isoformat()} is in the past")
    return value


async def run_open(args: argparse.Namespace, ctx: OfficerContext) -> None:
    deadline = _deadline(args.deadline, ctx.today())
    async with ctx.db.transaction("update-round:open") as tx:
        try:
            round_row, invited = await open_round(
                tx, officer=ctx.actor, deadline=deadline, note=args.note, now=ctx.now()
            )
        except ValueError as exc:
            raise OfficerError(f"update-round open: {exc}") from None
    ctx.say("update_round/opened", {"id": round_row.id, "deadline": deadline, "invited": invited})


def table(title: str, rows: dict[str, dict[str, int]], columns: dict[str, str], total: str) -> list[str]:
    """Rows of counts per outcome, a total column and a total row, aligned for a terminal."""
    width = max([len(title), len(total), *(len(k) for k in rows), 5]) + 2
    header = "".join(f"{columns[o]:>13}" for o in OUTCOMES)
    lines = [f"{title:<{width}}{header}{columns['total']:>9}"]
    totals: dict[str, int] = defaultdict(int)
    for label, counts in rows.items():
        for outcome in OUTCOMES:
            totals[outcome] += counts.get(outcome, 0)
        cells = "".join(f"{counts.get(o, 0):>13}" for o in OUTCOMES)
        lines.append(f"{label:<{width}}{cells}{sum(counts.values()):>9}")
    cells = "".join(f"{totals[o]:>13}" for o in OUTCOMES)
    lines.append(f"{total:<{width}}{cells}{sum(totals.values()):>9}")
    return lines


def report(rows: list[StatsRow], ctx: OfficerContext) -> None:
    columns = ctx.labels("update_round/columns")
    titles = ctx.labels("update_round/rows")
    sizes = ctx.labels("labels/size_class")
    by_district: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_size: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        district = (
            f"{row.district_code} {region_name(row.district_code) or ''}".strip()
            if row.district_code
            else "-"
        )
        by_district[district][row.outcome] += row.count
        by_size[row.size_class or "-"][row.outcome] += row.count
        totals[row.outcome] += row.count
    ordered_sizes = sorted(by_size, key=lambda s: (SIZES.index(s) if s in SIZES else len(SIZES), s))
    for title, grouped in (
        (titles["district"], dict(sorted(by_district.items()))),
        (titles["size_class"], {sizes.get(s, s): by_size[s] for s in ordered_sizes}),
    ):
        print(file=ctx.out)
        print("\n".join(table(title, grouped, columns, titles["total"])), file=ctx.out)
    print(file=ctx.out)
    ctx.say("update_round/summary", {o: totals[o] for o in OUTCOMES})


async def run_stats(args: argparse.Namespace, ctx: OfficerContext) -> None:
    async with ctx.db.transaction() as tx:
        rounds = tx.update_rounds
        round_row = await rounds.get(args.round) if args.round else await rounds.latest()
        if round_row is None:
            raise OfficerError(
                f"update-round stats: no round {args.round}" if args.round else "no rounds yet"
            )
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
