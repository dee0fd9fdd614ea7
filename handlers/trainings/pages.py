"""The trainings' dashboard pages (Pelatihan), over the functions `umkm-bot training` calls:

    GET  /dashboard/trainings                   upcoming (or ?show=past) trainings, seats, waiting, status;
                                                the "Tambah pelatihan" form (the fields and checks of `add`)
    POST /dashboard/trainings/add               schedule it; bad input shows the form again, kept
    GET  /dashboard/trainings/12                one training: details, the confirmed or the waiting list
                                                (?list=waiting) page by page (audited), cancel
    GET  /dashboard/trainings/12/edit, POST     change it (the checks of `edit`)
    POST /dashboard/trainings/12/cancel         cancel it with the reason participants read
    GET  /dashboard/trainings/12/announce, POST who it would reach per channel, then queue it

At the venue and after (venue_pages.py): the check-in code for a projector, attendance and
feedback; the figures (figure_pages.py): the year's stats, the Ringkasan panel and the
participants' download on Unduh.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from handlers.pages import Html, NavEntry, Page, PageContext, Redirect, id_of
from handlers.trainings.figure_pages import FIGURE_PAGES, PANELS
from handlers.trainings.page_values import (
    PAGE_SIZE,
    TRAININGS,
    empty_form,
    form_of,
    form_values,
    here,
    kept,
    notice_refusal,
    shown,
    training_id,
    training_or_404,
    typed,
)
from handlers.trainings.page_values import (
    people as people_rows,
)
from handlers.trainings.participants import view_participants
from handlers.trainings.planning import read_plan
from handlers.trainings.schedule import (
    TrainingError,
    TrainingPlan,
    announce,
    announcement,
    announcement_audience,
    cancel_training,
    create_training,
    edit_training,
)
from handlers.trainings.seats import Seating
from handlers.trainings.venue_pages import VENUE_PAGES
from handlers.types import Reply
from storage.models.trainings import SCHEDULED


def _seating(ctx: PageContext) -> Seating:
    return Seating(ctx.agency, ctx.config.training_offer)


async def _list_values(ctx: PageContext) -> dict[str, Any]:
    """Trainings not ended yet (soonest first) or ended (?show=past, latest first), by keyset."""
    past = ctx.query.get("show") == "past"
    after = id_of(ctx.query.get("after"))
    async with ctx.db.snapshot() as tx:
        rows = await tx.trainings.page(now=ctx.now(), past=past, after=after, limit=PAGE_SIZE + 1)
        figures = await tx.trainings.figures([t.id for t in rows[:PAGE_SIZE]])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    show = {"show": "past"} if past else {}
    return {
        "trainings": [{**shown(ctx, t), "figures": figures[t.id]} for t in rows],
        "past": past,
        "first_page": f"{TRAININGS}?{urlencode(show)}" if after is not None else None,
        "next_page": f"{TRAININGS}?{urlencode({**show, 'after': rows[-1].id})}" if more else None,
    }


async def trainings_page(ctx: PageContext) -> Html:
    return Html("trainings/list", {**await _list_values(ctx), **form_values(ctx, empty_form())})


async def add_page(ctx: PageContext) -> Html | Redirect:
    """The new training, read by `planning.read_plan` as `training add` reads its flags."""
    try:
        plan = TrainingPlan(**read_plan(ctx.agency, typed(ctx.form), whole=True))
        async with ctx.db.transaction("training:add") as tx:
            training = await create_training(tx, officer=ctx.actor, plan=plan, now=ctx.now())
    except TrainingError as exc:
        values = {**await _list_values(ctx), **form_values(ctx, kept(ctx.form), exc)}
        return Html("trainings/list", values, status=400)
    ctx.notice("training_added", {"id": training.id, "title": training.title})
    return Redirect(here(training.id))


async def training_page(ctx: PageContext) -> Html:
    """One training: its details and figures, its actions, and the confirmed or the waiting list
    (in queue order, with positions), page by page; showing names and numbers is audited."""
    which = "waiting" if ctx.query.get("list") == "waiting" else "confirmed"
    after = id_of(ctx.query.get("after"))
    async with ctx.db.transaction() as tx:
        training = await training_or_404(tx, training_id(ctx))
        counts = await tx.trainings.status_counts(training.id)
        figures = (await tx.trainings.figures([training.id]))[training.id]
        people, more = await view_participants(
            tx, officer=ctx.actor, training_id=training.id, which=which, after=after, limit=PAGE_SIZE
        )
    tab = {"list": which} if which == "waiting" else {}
    page = here(training.id)
    return Html(
        "trainings/training",
        {
            "training": shown(ctx, training),
            "counts": counts,
            "attended": figures.attended,
            "which": which,
            "people": people_rows(ctx, people),
            "first_page": f"{page}?{urlencode(tab)}" if after is not None else None,
            "next_page": f"{page}?{urlencode({**tab, 'after': people[-1].enrolment.queue_no})}"
            if more
            else None,
        },
    )


async def edit_page(ctx: PageContext) -> Html | Redirect:
    async with ctx.db.snapshot() as tx:
        training = await training_or_404(tx, training_id(ctx))
    if training.status != SCHEDULED:
        notice_refusal(
            ctx, TrainingError(f"training {training.id} is cancelled", "cancelled", id=training.id)
        )
        return Redirect(here(training.id))
    return Html(
        "trainings/edit", {"training": shown(ctx, training), **form_values(ctx, form_of(ctx, training))}
    )


async def save_page(ctx: PageContext) -> Html | Redirect:
    """The edit form, read as `training edit` reads its flags; a new time or place is told to
    everyone signed up, as the command does."""
    number = training_id(ctx)
    try:
        changes = read_plan(ctx.agency, typed(ctx.form), whole=True)
        async with ctx.db.transaction("training:edit") as tx:
            edited = await edit_training(
                tx, _seating(ctx), officer=ctx.actor, training_id=number, changes=changes, now=ctx.now()
            )
    except TrainingError as exc:
        if exc.code in ("no_training", "cancelled"):
            notice_refusal(ctx, exc)
            return Redirect(here(number))
        async with ctx.db.snapshot() as tx:
            training = await training_or_404(tx, number)
        values = {"training": shown(ctx, training), **form_values(ctx, kept(ctx.form), exc)}
        return Html("trainings/edit", values, status=400)
    ctx.notice(
        "training_edited",
        {
            "id": number,
            "changed": edited.changed,
            "notified": edited.notified,
            "offered": edited.offered,
            "moved": edited.moved,
        },
    )
    return Redirect(here(number))


async def cancel_page(ctx: PageContext) -> Redirect:
    """Cancelling is for good: the form asks for the reason and to tick that the officer is sure."""
    number = training_id(ctx)
    try:
        if ctx.form.get("confirm") != "1":
            raise TrainingError("tick the box to confirm", "confirm")
        async with ctx.db.transaction("training:cancel") as tx:
            _training, notified = await cancel_training(
                tx,
                _seating(ctx),
                officer=ctx.actor,
                training_id=number,
                reason=ctx.form.get("reason", ""),
                now=ctx.now(),
            )
    except TrainingError as exc:
        notice_refusal(ctx, exc)
    else:
        ctx.notice("training_cancelled", {"id": number, "notified": notified})
    return Redirect(here(number))


async def announce_page(ctx: PageContext) -> Html | Redirect:
    """Before sending: who the announcement would reach now, per channel, and what they read."""
    number = training_id(ctx)
    try:
        async with ctx.db.snapshot() as tx:
            training = await training_or_404(tx, number)
            counts = await announcement_audience(tx, number, ctx.now())
    except TrainingError as exc:
        notice_refusal(ctx, exc)
        return Redirect(here(number))
    reply: Reply = announcement(training, _seating(ctx))
    return Html(
        "trainings/announce",
        {
            "training": shown(ctx, training),
            "per_channel": sorted(counts.items()),
            "total": sum(counts.values()),
            "preview": ctx.renderer.render(reply.template, ctx.locale, reply.values),
        },
    )


async def send_announcement_page(ctx: PageContext) -> Redirect:
    """Queue it through the outbox, as `training announce` does: an owner reached before gets
    nothing new."""
    number = training_id(ctx)
    try:
        async with ctx.db.transaction("training:announce") as tx:
            training, queued = await announce(
                tx, _seating(ctx), officer=ctx.actor, training_id=number, now=ctx.now()
            )
    except TrainingError as exc:
        notice_refusal(ctx, exc)
    else:
        ctx.notice("training_announced", {"id": number, "queued": queued, "targeted": training.targeted})
    return Redirect(here(number))


ONE = f"{TRAININGS}/{{training_id:int}}"
PAGES = (
    Page(TRAININGS, trainings_page, nav=NavEntry("dashboard/nav/trainings", 60)),
    Page(f"{TRAININGS}/add", add_page, methods=("POST",)),
    Page(ONE, training_page),
    Page(f"{ONE}/edit", edit_page),
    Page(f"{ONE}/edit", save_page, methods=("POST",)),
    Page(f"{ONE}/cancel", cancel_page, methods=("POST",)),
    Page(f"{ONE}/announce", announce_page),
    Page(f"{ONE}/announce", send_announcement_page, methods=("POST",)),
    *VENUE_PAGES,
    *FIGURE_PAGES,
)

__all__ = ["PAGES", "PANELS"]
