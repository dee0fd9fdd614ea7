"""`umkm-bot update-round`: data-update rounds (pembaruan data).

umkm-bot update-round open --deadline YYYY-MM-DD [--note TEXT]
umkm-bot update-round stats [--round ID]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Awaitable
from datetime import date
from typing import TextIO

from bot.officer.common import OfficerError, agency_of, officer_name, open_database
from bot.settings import Settings
from handlers.rules import region_name
from handlers.types import utcnow
from handlers.update_round import open_round
from storage.models.update_round import ACTIVE, CLOSED, NO_RESPONSE
from storage.repositories.update_rounds import WAITING, StatsRow

COLUMNS = ((ACTIVE, "active"), (CLOSED, "closed"), (NO_RESPONSE, "no answer"), (WAITING, "waiting"))
SIZES = ("micro", "small", "medium", "large")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("update-round", help="data-update rounds (pembaruan data)")
    sub = parser.add_subparsers(dest="round_command", required=True)
    opening = sub.add_parser("open", help="ask every registered owner whether the business still runs")
    opening.add_argument("--deadline", required=True, metavar="YYYY-MM-DD", help="last day to answer")
    opening.add_argument("--note", metavar="TEXT", help="a line added to the owners' message")
    stats = sub.add_parser("stats", help="answers by kecamatan and size class")
    stats.add_argument("--round", type=int, metavar="ID", help="round id (default: the latest)")


def run(args: argparse.Namespace, settings: Settings) -> Awaitable[None]:
    if args.round_command == "open":
        return run_open(settings, args)
    return run_stats(settings, args)


def _deadline(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise OfficerError(f"--deadline: not a date like 2026-03-31: {text!r}") from None
    if value < date.today():
        raise OfficerError(f"--deadline: {value.isoformat()} is in the past")
    return value


async def run_open(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    deadline = _deadline(args.deadline)
    async with open_database(settings) as db, db.transaction("update-round:open") as tx:
        try:
            round_row, invited = await open_round(
                tx, officer=officer_name(), deadline=deadline, note=args.note, now=utcnow()
            )
        except ValueError as exc:
            raise OfficerError(f"update-round open: {exc}") from None
    print(f"update round {round_row.id} opened, deadline {deadline.isoformat()}", file=out)
    print(
        f"{invited} owners will be asked (the running bot sends it; reminders at 7, 3 and 1 days)", file=out
    )


def _table(title: str, rows: dict[str, dict[str, int]], label: dict[str, str], out: TextIO) -> None:
    width = max([len(title), *(len(label[k]) for k in rows), 5]) + 2
    print(f"\n{title:<{width}}" + "".join(f"{name:>11}" for _, name in COLUMNS) + f"{'total':>9}", file=out)
    totals: dict[str, int] = defaultdict(int)
    for key in sorted(rows, key=lambda k: label[k]):
        counts = rows[key]
        for outcome, _ in COLUMNS:
            totals[outcome] += counts.get(outcome, 0)
        print(
            f"{label[key]:<{width}}"
            + "".join(f"{counts.get(o, 0):>11}" for o, _ in COLUMNS)
            + f"{sum(counts.values()):>9}",
            file=out,
        )
    print(
        f"{'Total':<{width}}"
        + "".join(f"{totals[o]:>11}" for o, _ in COLUMNS)
        + f"{sum(totals.values()):>9}",
        file=out,
    )


def report(rows: list[StatsRow], out: TextIO) -> None:
    by_district: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_size: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        by_district[row.district_code or "-"][row.outcome] += row.count
        by_size[row.size_class or "-"][row.outcome] += row.count
        totals[row.outcome] += row.count
    districts = {code: f"{code} {region_name(code) or ''}".strip() for code in by_district}
    _table("Kecamatan", by_district, districts, out)
    order = {size: f"{i} {size}" for i, size in enumerate(SIZES)}
    sizes = {k: k for k in by_size}
    _table("Size class", dict(sorted(by_size.items(), key=lambda kv: order.get(kv[0], kv[0]))), sizes, out)
    summary = f"{totals[ACTIVE]} aktif, {totals[CLOSED]} tidak aktif, {totals[NO_RESPONSE]} tidak merespons"
    if totals[WAITING]:
        summary += f", {totals[WAITING]} belum menjawab"
    print(f"\n{summary}", file=out)


async def run_stats(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    agency_of(settings)
    async with open_database(settings) as db, db.transaction() as tx:
        rounds = tx.update_rounds
        round_row = await rounds.get(args.round) if args.round else await rounds.latest()
        if round_row is None:
            raise OfficerError(
                f"update-round stats: no round {args.round}" if args.round else "no rounds yet"
            )
        rows = await rounds.stats(round_row)
    state = "closed" if round_row.closed_at else "open"
    print(f"Update round {round_row.id}: deadline {round_row.deadline.isoformat()}, {state}", file=out)
    report(rows, out)
