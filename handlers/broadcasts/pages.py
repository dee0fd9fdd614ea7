"""Broadcasts' dashboard pages (Siaran): compose an announcement (a text, or a template),
choose its audience and see how many each channel reaches (a dry run) before sending, then
follow its progress (sent, failed, waiting, rate, ETA). The page refreshes itself while rows
are waiting: no JavaScript."""

from __future__ import annotations

from typing import Any

from handlers.broadcasts.progress import progress_values
from handlers.broadcasts.service import (
    BroadcastError,
    announcement_templates,
    audience_filter,
    broadcast_status,
    compose,
    queue_broadcast,
)
from handlers.pages import Html, NavEntry, NotFound, Page, PageContext, Redirect
from handlers.registration.admin import districts
from handlers.rules import SIZE_CLASSES
from handlers.types import Reply
from storage.repositories.audience import AudienceFilter

BROADCASTS = "/dashboard/broadcasts"
FIELDS = ("source", "template", "text", "kecamatan", "sector", "size", "status")


def _form(ctx: PageContext) -> dict[str, str]:
    return {name: ctx.form.get(name, "").strip() for name in FIELDS}


async def _compose_values(ctx: PageContext, form: dict[str, str]) -> dict[str, Any]:
    """The compose page's form and choices, and the latest broadcasts (shown after a refusal too)."""
    async with ctx.db.snapshot() as tx:
        recent = await tx.broadcasts.recent(limit=10)
    return {
        "form": form,
        "templates": announcement_templates(ctx.renderer),
        "districts": districts(ctx.agency),
        "sectors": [(s.id, s.name(ctx.locale)) for s in ctx.agency.sectors],
        "sizes": {k: v for k, v in ctx.labels("labels/size_class").items() if k in SIZE_CLASSES},
        "statuses": ctx.labels("labels/business_status"),
        "recent": recent,
        "preview": None,
        "errors": {},
        "error": None,
    }


def _parse(ctx: PageContext, form: dict[str, str]) -> tuple[Reply, AudienceFilter]:
    """The announcement and its audience, checked as `umkm-bot broadcast` checks its options."""
    from_template = form["source"] == "template"
    reply = compose(
        ctx.renderer,
        template=form["template"] if from_template else None,
        text=None if from_template else form["text"],
    )
    filters = audience_filter(
        ctx.agency,
        kecamatan=form["kecamatan"],
        sector=form["sector"],
        size=form["size"],
        status=form["status"],
    )
    return reply, filters


async def _refused(ctx: PageContext, form: dict[str, str], exc: BroadcastError) -> Html:
    """The compose page again as typed (400), the refusal in the officer's words beside its field."""
    text = ctx.renderer.render(
        "dashboard/notices/broadcast_error", ctx.locale, {"code": exc.code, **exc.values}
    ).strip()
    marked = {"errors": {exc.field: text}} if exc.field else {"error": text}
    return Html("broadcasts/compose", {**await _compose_values(ctx, form), **marked}, status=400)


async def compose_page(ctx: PageContext) -> Html:
    empty = dict.fromkeys(FIELDS, "") | {"source": "text"}
    return Html("broadcasts/compose", await _compose_values(ctx, empty))


async def preview_page(ctx: PageContext) -> Html:
    """The dry run: the audience per channel and the message as owners will read it; nothing sent."""
    form = _form(ctx)
    try:
        reply, filters = _parse(ctx, form)
    except BroadcastError as exc:
        return await _refused(ctx, form, exc)
    async with ctx.db.snapshot() as tx:
        counts = await tx.broadcasts.audience_counts(filters)
    text = ctx.renderer.render(reply.template, ctx.locale, reply.values)
    preview = {"counts": sorted(counts.items()), "total": sum(counts.values()), "text": text}
    return Html("broadcasts/compose", {**await _compose_values(ctx, form), "preview": preview})


async def send_page(ctx: PageContext) -> Html | Redirect:
    form = _form(ctx)
    try:
        reply, filters = _parse(ctx, form)
    except BroadcastError as exc:
        return await _refused(ctx, form, exc)
    async with ctx.db.transaction() as tx:
        broadcast = await queue_broadcast(tx, officer=ctx.actor, reply=reply, filters=filters, now=ctx.now())
    ctx.notice("broadcast_queued", {"id": broadcast.id, "total": broadcast.total})
    return Redirect(f"{BROADCASTS}/{broadcast.id}")


async def progress_page(ctx: PageContext) -> Html:
    async with ctx.db.snapshot() as tx:
        status = await broadcast_status(tx, int(ctx.params["broadcast_id"]), now=ctx.now())
    if status is None:
        raise NotFound
    progress = progress_values(status.figures, status.rate)
    return Html(
        "broadcasts/progress",
        {
            "broadcast": status.broadcast,
            "figures": status.figures,
            "share": progress["share"],
            "rate": progress["rate"],
            "eta": progress["eta"],
            "errors": status.errors,
            "filters": sorted(status.broadcast.filters.items()),
            "audience": sorted(status.broadcast.audience.items()),
        },
    )


PAGES = (
    Page(BROADCASTS, compose_page, nav=NavEntry("dashboard/nav/broadcasts", 40)),
    Page(f"{BROADCASTS}/preview", preview_page, methods=("POST",)),
    Page(f"{BROADCASTS}/send", send_page, methods=("POST",)),
    Page(f"{BROADCASTS}/{{broadcast_id:int}}", progress_page),
)
