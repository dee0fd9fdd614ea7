"""The trainings' pages at the venue and after, over the functions `umkm-bot training checkin-code|
checkin|certificate` call:

    GET  /dashboard/trainings/12/checkin-code   today's code, full screen for a projector (it reloads
                                                itself each minute: the code changes at midnight)
    GET  /dashboard/trainings/12/attendance     who checked in, page by page (audited)
    POST /dashboard/trainings/12/attendance     check a confirmed participant in (registration or phone number)
    POST /dashboard/trainings/12/certificate    send an attendee's certificate again, by chat
    GET  /dashboard/trainings/12/feedback       the ratings and the comments (no names with them)
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from handlers.agency import AgencyProfile
from handlers.dashboard.charts import bar_chart
from handlers.pages import Html, Page, PageContext, Redirect, id_of
from handlers.trainings.attendance import (
    CheckInRefused,
    NotATrainingDay,
    check_in_by_officer,
    day_code,
    person_key,
    resend_certificate,
)
from handlers.trainings.page_values import (
    PAGE_SIZE,
    TRAININGS,
    here,
    notice_refusal,
    shown,
    training_id,
    training_or_404,
)
from handlers.trainings.page_values import (
    people as people_rows,
)
from handlers.trainings.participants import view_participants
from handlers.trainings.rules import CHECKIN_OPENS
from handlers.trainings.stats import ratings_of
from storage.models.trainings import SCHEDULED, Enrolment
from storage.repositories import Transaction

#: How often the projector's page reloads itself (seconds): a new day brings a new code.
REFRESH_SECONDS = 60


async def checkin_code_page(ctx: PageContext) -> Html:
    """The code of the day in large digits, the training's name and date, nothing else: for the
    venue's projector. On a day the training does not run, its days instead of a code."""
    async with ctx.db.snapshot() as tx:
        training = await training_or_404(tx, training_id(ctx))
    today = ctx.today()
    code, days = None, None
    if training.status == SCHEDULED:
        try:
            code = day_code(training, ctx.agency, today)
        except NotATrainingDay as exc:
            days = (exc.days[0], exc.days[-1])
    return Html(
        "trainings/checkin_code",
        {
            "training": shown(ctx, training),
            "code": code,
            "today": today,
            "days": days,
            "opens": training.starts_at - CHECKIN_OPENS,
            "refresh": REFRESH_SECONDS,
        },
    )


async def attendance_page(ctx: PageContext) -> Html:
    """Who checked in (themselves with the code, or an officer), page by page; the forms to check
    someone in and to send a certificate again."""
    after = id_of(ctx.query.get("after"))
    async with ctx.db.transaction() as tx:
        training = await training_or_404(tx, training_id(ctx))
        figures = (await tx.trainings.figures([training.id]))[training.id]
        people, more = await view_participants(
            tx, officer=ctx.actor, training_id=training.id, which="attended", after=after, limit=PAGE_SIZE
        )
    page = here(training.id, "/attendance")
    return Html(
        "trainings/attendance",
        {
            "training": shown(ctx, training),
            "confirmed": figures.confirmed,
            "attended": figures.attended,
            "people": people_rows(ctx, people),
            "opens": training.starts_at - CHECKIN_OPENS,
            "first_page": page if after is not None else None,
            "next_page": f"{page}?after={people[-1].enrolment.queue_no}" if more else None,
        },
    )


class ParticipantAction(Protocol):
    """An officer's action on one participant: `check_in_by_officer`, `resend_certificate`."""

    async def __call__(
        self,
        tx: Transaction,
        agency: AgencyProfile,
        *,
        officer: str,
        training_id: int,
        who: str,
        now: datetime,
    ) -> Enrolment: ...


async def _on_participant(ctx: PageContext, action: ParticipantAction, lock: str, notice: str) -> Redirect:
    """Run `action` on the participant the officer named by registration or mobile number (posted,
    never put in a URL); its refusal or its success is the attendance page's next notice."""
    number = training_id(ctx)
    typed = ctx.form.get("who", "").strip()
    try:
        async with ctx.db.transaction(lock) as tx:
            enrolment = await action(
                tx, ctx.agency, officer=ctx.actor, training_id=number, who=person_key(typed), now=ctx.now()
            )
    except CheckInRefused as exc:
        notice_refusal(ctx, exc)
    else:
        ctx.notice(notice, {"name": enrolment.full_name, "who": typed})
    return Redirect(here(number, "/attendance"))


async def check_in_page(ctx: PageContext) -> Redirect:
    """`training checkin ID REG_NO_OR_PHONE`."""
    return await _on_participant(ctx, check_in_by_officer, "training:checkin", "checked_in")


async def certificate_page(ctx: PageContext) -> Redirect:
    """`training certificate ID REG_NO_OR_PHONE`: the certificate again, through the outbox."""
    return await _on_participant(ctx, resend_certificate, "training:certificate", "certificate_resent")


async def feedback_page(ctx: PageContext) -> Html:
    """The ratings (how many gave each, the average) and the comments, newest first, by keyset;
    anonymous: no name or number is shown with a comment."""
    before = id_of(ctx.query.get("before"))
    async with ctx.db.snapshot() as tx:
        training = await training_or_404(tx, training_id(ctx))
        ratings = await ratings_of(tx, training.id)
        comments = await tx.trainings.comments(training.id, before=before, limit=PAGE_SIZE + 1)
    more = len(comments) > PAGE_SIZE
    comments = comments[:PAGE_SIZE]
    page = here(training.id, "/feedback")
    return Html(
        "trainings/feedback",
        {
            "training": shown(ctx, training),
            "ratings": ratings,
            "chart": bar_chart([(str(rating), [count]) for rating, count in ratings.rows()]),
            "comments": comments,
            "first_page": page if before is not None else None,
            "next_page": f"{page}?before={comments[-1][0]}" if more else None,
        },
    )


ONE = f"{TRAININGS}/{{training_id:int}}"
VENUE_PAGES = (
    Page(f"{ONE}/checkin-code", checkin_code_page),
    Page(f"{ONE}/attendance", attendance_page),
    Page(f"{ONE}/attendance", check_in_page, methods=("POST",)),
    Page(f"{ONE}/certificate", certificate_page, methods=("POST",)),
    Page(f"{ONE}/feedback", feedback_page),
)
