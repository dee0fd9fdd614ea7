"""`umkm-bot training list|show|participants|checkin-code|checkin|certificate|stats`: what
officers read and do at the venue. Parses and prints; the domain functions act and audit."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from handlers import spreadsheet
from handlers.officer import (
    OfficerContext,
    OfficerError,
    StaffContext,
    cannot_write,
    check_writable,
    export_format,
    record_id,
)
from handlers.rules import region_name
from handlers.trainings.attendance import (
    CheckInRefused,
    NotATrainingDay,
    check_in_by_officer,
    day_code,
    person_key,
    resend_certificate,
)
from handlers.trainings.certificate import certificate_pdf
from handlers.trainings.kinds import training_values
from handlers.trainings.participants import (
    STANDARD_OUTPUT,
    export_participants,
    participant_rows,
    record_view,
)
from handlers.trainings.rules import CHECKIN_OPENS
from handlers.trainings.stats import ONLINE, YEARS, Figures, YearStats, is_report_year, year_stats
from storage.models.trainings import Training
from storage.repositories import Transaction

Command = Callable[[argparse.Namespace, OfficerContext], Coroutine[Any, Any, None]]
#: The option a refusal's field (`TrainingError.field`: the dashboard form's) is typed with,
#: where it is not `--<field>`.
FLAGS = {"sectors": "--sector", "size_classes": "--size-class", "target_kecamatan": "--target-kecamatan"}


def refused(
    ctx: StaffContext, code: str, values: Mapping[str, Any], field: str | None = None
) -> OfficerError:
    """A refusal of `training` in the officer's words (officer/trainings/refused: a
    `TrainingError`'s or `CheckInRefused`'s code and values, as the dashboard's training_error
    words them); `field` names the option it is about."""
    flag = FLAGS.get(field, f"--{field}") if field else None
    return ctx.refusal("trainings/refused", {**values, "code": code, "flag": flag})


def add_arguments(sub: Any) -> None:
    participants = sub.add_parser(
        "participants", help="confirmed, waiting (with position), withdrawn, attended"
    )
    participants.add_argument("id", type=record_id)
    participants.add_argument(
        "--format",
        choices=spreadsheet.FORMATS,
        help="with -o (default: the file's extension); csv without -o prints CSV (for a pipe)",
    )
    participants.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write a file instead of printing"
    )
    code = sub.add_parser("checkin-code", help="the check-in code of the day, to show at the venue")
    code.add_argument("id", type=record_id)
    code.add_argument("--date", metavar="YYYY-MM-DD", help="another day of the training (default: today)")
    checkin = sub.add_parser("checkin", help="check a participant in by registration number or phone")
    checkin.add_argument("id", type=record_id)
    checkin.add_argument("who", metavar="REG_NO_OR_PHONE")
    certificate = sub.add_parser("certificate", help="send a participant's certificate again (or write it)")
    certificate.add_argument("id", type=record_id)
    certificate.add_argument("who", metavar="REG_NO_OR_PHONE")
    certificate.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the PDF instead of sending"
    )
    stats = sub.add_parser(
        "stats", help="figures per training, topic and kecamatan; the year against the target"
    )
    stats.add_argument("--year", type=int, metavar="YYYY", help="default: this year")


async def _training(ctx: OfficerContext, training_id: int) -> Training:
    async with ctx.db.snapshot() as tx:
        return await _found(ctx, tx, training_id)


async def _found(ctx: OfficerContext, tx: Transaction, training_id: int) -> Training:
    """The training with that id, or the officer is told there is none."""
    training = await tx.trainings.get(training_id)
    if training is None:
        raise refused(ctx, "no_training", {"id": training_id})
    return training


async def run_list(args: argparse.Namespace, ctx: OfficerContext) -> None:
    async with ctx.db.snapshot() as tx:
        trainings = await tx.trainings.listing()
        counts = await tx.trainings.figures([t.id for t in trainings])
    statuses = ctx.labels("trainings/training_statuses")
    rows = [
        [
            str(t.id),
            ctx.local(t.starts_at).strftime("%Y-%m-%d %H:%M"),
            t.topic,
            t.title,
            f"{counts[t.id].held}/{t.capacity}",
            str(counts[t.id].waiting),
            statuses.get(t.status, t.status),
        ]
        for t in trainings
    ]
    print("\n".join(aligned([ctx.lines("trainings/list_columns"), *rows])), file=ctx.out)
    ctx.say("trainings/listed", {"count": len(trainings)}, err=True)


def aligned(rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell (the last one left ragged)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


async def run_show(args: argparse.Namespace, ctx: OfficerContext) -> None:
    async with ctx.db.snapshot() as tx:  # one view: the training and its figures agree
        training = await _found(ctx, tx, args.id)
        counts = await tx.trainings.status_counts(training.id)
        attended = (await tx.trainings.figures([training.id]))[training.id].attended
    ctx.say(
        "trainings/show",
        {
            "training": training_values(training, ctx.agency),
            "topic_id": training.topic,
            "status": training.status,
            "cancel_reason": training.cancel_reason,
            "public": training.open_to_public,
            "targeting": training.targeting(),
            "counts": counts,
            "attended": attended,
            "announced_at": training.announced_at,
            "targeted": training.targeted,
        },
    )


def participant_words(ctx: StaffContext, training_id: int) -> dict[str, Any]:
    """The participant list's sheet title, column headers, status words and "public" label, in the
    officer's language (the command's and the dashboard's download)."""
    return {
        "sheet": ctx.text("trainings/participants_sheet", {"id": training_id}),
        "headers": ctx.lines("trainings/participant_columns"),
        "statuses": ctx.labels("trainings/participant_statuses"),
        "public_label": ctx.text("trainings/public_label"),
    }


async def run_participants(args: argparse.Namespace, ctx: OfficerContext) -> None:
    """On screen as a table; with `-o FILE` to an XLSX or CSV file; with `--format csv` alone as
    CSV on standard output (for a pipe). An XLSX file has no place on a terminal: it needs -o."""
    file_format = (
        None if args.output is None else export_format(ctx, args.output, args.format, spreadsheet.FORMATS)
    )
    if args.output is None and args.format == "xlsx":
        raise refused(ctx, "xlsx_needs_output", {})
    await _training(ctx, args.id)
    words = participant_words(ctx, args.id)
    headers, statuses, public = words["headers"], words["statuses"], words["public_label"]
    if file_format is not None:  # -o FILE
        check_writable(ctx, args.output)
        try:
            count = await export_participants(
                ctx.db,
                ctx.agency,
                officer=ctx.actor,
                training_id=args.id,
                path=args.output,
                file_format=file_format,
                **words,
            )
        except OSError as exc:
            raise cannot_write(ctx, args.output, exc) from None
        ctx.say("trainings/exported", {"count": count, "path": str(args.output)})
        return
    # Read in a snapshot and audited in a short transaction of its own before anything is printed:
    # the writer is never held while a pipe or a pager takes its time (as `exports` does).
    async with ctx.db.snapshot() as tx:
        people = [row async for row in participant_rows(tx, ctx.agency, args.id, statuses, public)]
    shown = STANDARD_OUTPUT if args.format == "csv" else None
    async with ctx.db.transaction() as tx:
        await record_view(tx, officer=ctx.actor, training_id=args.id, rows=len(people), file=shown)
    if args.format == "csv":  # no -o: to standard output
        await spreadsheet.print_csv(ctx.out, headers, _each(people))
        ctx.out.flush()
    else:
        rows = [[str(cell) for cell in row] for row in people]
        print("\n".join(aligned([headers, *rows])), file=ctx.out)
    ctx.say("trainings/listed_participants", {"count": len(people)}, err=True)


async def _each(rows: list[list[Any]]) -> AsyncIterator[list[Any]]:
    for row in rows:
        yield row


async def run_checkin_code(args: argparse.Namespace, ctx: OfficerContext) -> None:
    training = await _training(ctx, args.id)
    try:
        day = date.fromisoformat(args.date) if args.date else ctx.today()
    except ValueError:
        raise refused(ctx, "date", {"text": args.date}) from None
    try:
        code = day_code(training, ctx.agency, day)
    except NotATrainingDay as exc:
        days = {"id": training.id, "first": exc.days[0], "last": exc.days[-1], "day": day}
        raise refused(ctx, "not_a_day", days) from None
    ctx.say(
        "trainings/checkin_code",
        {
            "training": training_values(training, ctx.agency),
            "day": day,
            "code": code,
            "opens": training.starts_at - CHECKIN_OPENS,
            "closes": training.ends_at,
        },
    )


async def run_checkin(args: argparse.Namespace, ctx: OfficerContext) -> None:
    try:
        async with ctx.db.transaction("training:checkin") as tx:
            enrolment = await check_in_by_officer(
                tx,
                ctx.agency,
                officer=ctx.actor,
                training_id=args.id,
                who=person_key(args.who),
                now=ctx.now(),
            )
    except CheckInRefused as exc:
        raise refused(ctx, exc.code, {"id": args.id, **exc.values}) from None
    ctx.say("trainings/checked_in", {"id": args.id, "name": enrolment.full_name, "who": args.who})


async def run_certificate(args: argparse.Namespace, ctx: OfficerContext) -> None:
    who = person_key(args.who)
    if args.output is not None:
        export_format(ctx, args.output, None, ("pdf",))
    if args.output is None:
        try:
            async with ctx.db.transaction("training:certificate") as tx:
                enrolment = await resend_certificate(
                    tx, ctx.agency, officer=ctx.actor, training_id=args.id, who=who, now=ctx.now()
                )
        except CheckInRefused as exc:
            raise refused(ctx, exc.code, {"id": args.id, **exc.values}) from None
        ctx.say("trainings/certificate_resent", {"id": args.id, "name": enrolment.full_name})
        return
    async with ctx.db.snapshot() as tx:
        participant = await tx.trainings.participant(args.id, who)
        found = (
            await tx.trainings.certificate_of(args.id, enrolment_id=participant.id) if participant else None
        )
    number, name = (found[0].certificate_no, found[1]) if found else (None, None)
    if found is None or number is None or not name:
        raise refused(ctx, "no_certificate", {"id": args.id, "who": args.who})
    training = found[2]
    pdf = certificate_pdf(
        ctx.renderer,
        ctx.agency,
        ctx.locale,
        name=name,
        training=training,
        number=number,
        issued=training.ends_at,
    )
    try:
        args.output.write_bytes(pdf.content)
    except OSError as exc:
        raise cannot_write(ctx, args.output, exc) from None
    ctx.say("trainings/certificate_written", {"number": number, "path": str(args.output)})


def _figure_rows(
    ctx: OfficerContext, rows: Mapping[str, Figures], total: Figures | None = None
) -> list[list[str]]:
    def cells(figures: Figures) -> list[str]:
        return [
            str(figures.trainings),
            str(figures.targeted),
            str(figures.announced),
            str(figures.signed_up),
            str(figures.waiting),
            str(figures.attended),
            str(figures.no_shows),
            ctx.text("trainings/average_rating", {"average": figures.average_rating}),
        ]

    table = [[label, *cells(figures)] for label, figures in rows.items()]
    if total is not None:
        table.append([ctx.text("trainings/total_label"), *cells(total)])
    return table


def topic_name(ctx: StaffContext, topic_id: str) -> str:
    topic = ctx.agency.training_topic(topic_id)
    return topic.name(ctx.locale) if topic else topic_id


def stats_groups(ctx: StaffContext, stats: YearStats) -> list[tuple[str, dict[str, Figures]]]:
    """The year's figures per training, per topic and per kecamatan of the venue, each row
    labelled in the officer's words (the command's tables and the dashboard's)."""
    online = ctx.text("trainings/online_label")
    per_training = {f"{t.id} {t.title}": figures for t, figures in stats.per_training}
    topics = {topic_name(ctx, topic): figures for topic, figures in sorted(stats.per_topic.items())}
    districts = {
        (online if code == ONLINE else f"{code} {region_name(code) or ''}".strip()): figures
        for code, figures in sorted(stats.per_district.items())
    }
    return [("training", per_training), ("topic", topics), ("district", districts)]


async def run_stats(args: argparse.Namespace, ctx: OfficerContext) -> None:
    year = ctx.today().year if args.year is None else args.year
    if not is_report_year(year):
        raise OfficerError(
            ctx.text("trainings/year_out_of_range", {"year": year, "first": YEARS[0], "last": YEARS[-1]})
        )
    async with ctx.db.snapshot() as tx:
        stats = await year_stats(tx, ctx.agency, year, ctx.now())
    columns = ctx.lines("trainings/stats_columns")
    titles = ctx.labels("trainings/stats_titles")
    ctx.say("trainings/stats_title", {"year": year})
    for title, rows in stats_groups(ctx, stats):
        print(file=ctx.out)
        print(
            "\n".join(aligned([[titles[title], *columns], *_figure_rows(ctx, rows, stats.total)])),
            file=ctx.out,
        )
    print(file=ctx.out)
    ctx.say(
        "trainings/stats_summary",
        {
            "year": year,
            "attended": stats.total.attended,
            "people": stats.people_attended,
            "target": stats.target,
            "cancelled": stats.cancelled,
        },
    )


COMMANDS: dict[str, Command] = {
    "list": run_list,
    "show": run_show,
    "participants": run_participants,
    "checkin-code": run_checkin_code,
    "checkin": run_checkin,
    "certificate": run_certificate,
    "stats": run_stats,
}
