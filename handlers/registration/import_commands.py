"""`umkm-bot owners import FILE` and `umkm-bot owners invite`: parse, call the domain function
(`importing.OwnerImport`, `invitation.invite_imported`), print. Every word printed is an officer
template under messages/templates/<locale>/officer/import/."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from handlers import spreadsheet
from handlers.officer import OfficerContext, OfficerError, cannot_write, check_writable
from handlers.registration.import_file import (
    COLUMNS,
    MissingColumn,
    Table,
    UnknownSheet,
    UnreadableFile,
    open_table,
)
from handlers.registration.importing import Finding, ImportSummary, OwnerImport
from handlers.registration.invitation import invite_imported


def add_import_arguments(commands: Any, district_help: str) -> None:
    """The `import` and `invite` subcommands of `owners`."""
    importing = commands.add_parser(
        "import",
        help="bring the agency's records in from an .xlsx or .csv file (imported, not yet confirmed)",
    )
    importing.add_argument("file", type=Path, help="the spreadsheet: .xlsx or .csv, one business a row")
    importing.add_argument("--dry-run", action="store_true", help="check every row and report; store nothing")
    importing.add_argument("--sheet", help="the sheet to read in an .xlsx file (default: the first)")
    importing.add_argument(
        "--report",
        type=Path,
        help="write the rows to look at to this .xlsx (or .csv) file instead of printing them",
    )
    invite = commands.add_parser(
        "invite", help="invite imported owners on WhatsApp to check and confirm their data by chat"
    )
    invite.add_argument("--kecamatan", help=district_help)
    invite.add_argument(
        "--only-unconfirmed", action="store_true", help="only owners who have not confirmed yet"
    )
    invite.add_argument("--dry-run", action="store_true", help="count whom it would reach; send nothing")


async def run_import(args: argparse.Namespace, ctx: OfficerContext) -> None:
    report: Path | None = args.report
    report_format = _report_format(ctx, report) if report is not None else None
    try:
        with open_table(args.file, args.sheet) as table:
            importer = OwnerImport(
                ctx.db,
                ctx.agency,
                officer=ctx.actor,
                now=ctx.now(),
                today=ctx.today(),
                dry_run=args.dry_run,
                progress=lambda summary: ctx.say("import/progress", summary.as_dict(), err=True),
            )
            if report is not None and report_format is not None:
                await spreadsheet.write(
                    report,
                    report_format,
                    sheet=ctx.text("import/report_sheet"),
                    headers=ctx.lines("import/report_columns"),
                    rows=_report_rows(ctx, table, importer.run(table)),
                )
            else:
                async for row in _report_rows(ctx, table, importer.run(table)):
                    print("\t".join(str(cell) for cell in row), file=ctx.out)
    except MissingColumn as exc:
        names = ", ".join(COLUMNS[exc.field][:4])
        field = ctx.labels("import/fields").get(exc.field, exc.field)
        raise OfficerError(ctx.text("import/missing_column", {"column": field, "names": names})) from None
    except UnknownSheet as exc:
        raise OfficerError(
            ctx.text("import/unknown_sheet", {"sheet": exc.name, "sheets": exc.sheets})
        ) from None
    except UnreadableFile as exc:
        words = {"path": str(exc.path), "reason": exc.reason, "detail": exc.detail}
        raise OfficerError(ctx.text("import/unreadable", words)) from None
    except OSError as exc:
        if report is None:  # not the report: nothing of ours to name (a closed pipe, say)
            raise
        raise cannot_write(ctx, report, exc) from None
    _summarise(ctx, importer.summary, args.dry_run, report)


def _report_format(ctx: OfficerContext, report: Path) -> str:
    file_format = report.suffix.casefold().lstrip(".")
    if file_format not in spreadsheet.FORMATS:
        words = {"flag": "--report", "name": report.name, "formats": spreadsheet.FORMATS}
        raise OfficerError(ctx.text("export/extension", words))
    check_writable(ctx, report, "--report")
    return file_format


async def _report_rows(
    ctx: OfficerContext, table: Table, findings: AsyncIterator[Finding]
) -> AsyncIterator[list[Any]]:
    """Each finding as a report row: row number, column (as the file names it), outcome, reason."""
    outcomes = ctx.labels("import/outcomes")
    fields = ctx.labels("import/fields")
    async for finding in findings:
        column = table.titles.get(finding.field or "", fields.get(finding.field or "", ""))
        values = dict(finding.values)
        if "fields" in values:
            values["fields"] = [table.titles.get(f, fields.get(f, f)) for f in values["fields"]]
        reason = ctx.text("import/reason", {"key": finding.key, "values": values})
        yield [finding.row, column, outcomes.get(finding.outcome, finding.outcome), reason]


def _summarise(ctx: OfficerContext, summary: ImportSummary, dry_run: bool, report: Path | None) -> None:
    ctx.say(
        "import/summary",
        {**summary.as_dict(), "dry_run": dry_run, "report": str(report) if report else None},
        err=True,
    )


async def run_invite(args: argparse.Namespace, ctx: OfficerContext, district: str | None) -> None:
    async with ctx.db.snapshot() if args.dry_run else ctx.db.transaction() as tx:
        invited = await invite_imported(
            tx,
            district_code=district,
            only_unconfirmed=args.only_unconfirmed,
            dry_run=args.dry_run,
            officer=ctx.actor,
            now=ctx.now(),
            today=ctx.today(),
        )
    ctx.say("import/invited", {"reached": invited.reached, "queued": invited.queued, "dry_run": args.dry_run})
