"""The vouchers' dashboard pages (Voucher): the programs with their counts, a new program (the
same fields and checks as `umkm-bot voucher program add`), pause with a reason, resume and
close; one program's vouchers, issued and redeemed, page by page; the courier partners (a new
one's link code shown once); the monthly reconciliation download; and the vouchers' figures on
the Ringkasan and their download on the Unduh page. The courier's scan page is scan.py.

What a page shows of a voucher is its facts (code, kecamatan, times, resi, amounts): never the
owner's NIK, name or phone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from handlers.dashboard.charts import bar_chart
from handlers.pages import (
    Download,
    Html,
    NavEntry,
    NotFound,
    Page,
    PageContext,
    Panel,
    Redirect,
    checked,
    download_file,
    id_of,
)
from handlers.registration.admin import districts
from handlers.rules import SIZE_CLASSES, region_name
from handlers.vouchers import codes
from handlers.vouchers.issuing import valid_until
from handlers.vouchers.parsing import DEFAULT_MAX_ONGKIR, DEFAULT_VALID_DAYS, new_program
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
from handlers.vouchers.report import MonthError, month_bounds, report_words, write_report
from handlers.vouchers.scan import SCAN_PAGES
from handlers.vouchers.states import voucher_state
from storage.models.vouchers import Period, ProgramStatus, Voucher, VoucherProgram
from storage.repositories import Transaction

VOUCHERS = "/dashboard/vouchers"
DOWNLOADS = "/dashboard/downloads"
PAGE_SIZE = 50
#: The new-program form's text fields, and what they hold when the form is first shown.
FORM_DEFAULTS = {
    "name": "",
    "courier": "",
    "quota": "",
    "per_owner": "1",
    "period": Period.MONTH.value,
    "max_ongkir": f"{DEFAULT_MAX_ONGKIR:,}".replace(",", "."),
    "valid_days": str(DEFAULT_VALID_DAYS),
}


def _error_values(exc: ProgramError | MonthError) -> dict[str, Any]:
    """The values of the officer's line for a refusal (`dashboard/notices/voucher_error`)."""
    return {"code": exc.code, **exc.values} if isinstance(exc, ProgramError) else {"code": "month"}


def _error(ctx: PageContext, exc: ProgramError | MonthError) -> str:
    return ctx.renderer.render("dashboard/notices/voucher_error", ctx.locale, _error_values(exc))


def _notice_error(ctx: PageContext, exc: ProgramError | MonthError) -> None:
    ctx.notice("voucher_error", _error_values(exc), error=True)


async def _programs_values(ctx: PageContext) -> dict[str, Any]:
    """The programs with their counts, the courier partners, and the new-program form's choices."""
    async with ctx.db.snapshot() as tx:
        programs = await program_summaries(tx, now=ctx.now())
        couriers = await tx.couriers.active()
    return {
        "programs": programs,
        "couriers": couriers,
        "statuses": ctx.labels("labels/program_status"),
        "sizes": ctx.labels("labels/size_class"),
        "size_order": SIZE_CLASSES,
        "districts": districts(ctx.agency),
        "periods": [p.value for p in Period],
        "month": f"{ctx.today():%Y-%m}",
    }


async def programs_page(ctx: PageContext) -> Html:
    values = await _programs_values(ctx)
    form = {**FORM_DEFAULTS, "sizes": [], "kecamatan": [], "requires_current_data": False}
    return Html("vouchers/programs", {**values, "form": form, "error": None})


async def add_program_page(ctx: PageContext) -> Html | Redirect:
    """The new-program form: read by `parsing.new_program` as the command reads its flags."""
    form = {name: ctx.form.get(name, "").strip() for name in FORM_DEFAULTS}
    sizes, kecamatan = checked(ctx.form, "size-"), checked(ctx.form, "kecamatan-")
    current = ctx.form.get("requires_current_data") == "1"
    try:
        new = new_program(
            ctx.agency,
            name=form["name"],
            courier=form["courier"],
            quota=form["quota"],
            per_owner=form["per_owner"],
            period_text=form["period"],
            max_ongkir=form["max_ongkir"],
            valid_days=form["valid_days"],
            sizes=",".join(sizes),
            kecamatan=",".join(kecamatan),
            requires_current_data=current,
        )
        async with ctx.db.transaction("voucher-program:new") as tx:
            program = await add_program(tx, new, officer=ctx.actor, now=ctx.now())
    except ProgramError as exc:
        values = await _programs_values(ctx)
        shown = {**form, "sizes": sizes, "kecamatan": kecamatan, "requires_current_data": current}
        return Html("vouchers/programs", {**values, "form": shown, "error": _error(ctx, exc)}, status=400)
    ctx.notice("program_added", {"id": program.id, "name": program.name})
    return Redirect(f"{VOUCHERS}/{program.id}")


def _voucher_row(
    ctx: PageContext, voucher: Voucher, program: VoucherProgram, now: datetime
) -> dict[str, Any]:
    state = voucher_state(voucher, program, now)
    return {
        "code": codes.display(voucher.code),
        "district": region_name(voucher.district_code or "") or voucher.district_code or "-",
        "size": voucher.size_class,
        "issued_at": voucher.issued_at,
        "valid_until": valid_until(voucher, ctx.agency.time_zone),
        "redeemed_at": voucher.redeemed_at,
        "resi": voucher.resi,
        "ongkir": voucher.ongkir,
        "paid": voucher.paid,
        "state": str(state),
    }


async def program_page(ctx: PageContext) -> Html:
    """One program: its figures, its actions, and its vouchers (all issued, or the redeemed), by keyset."""
    program_id = int(ctx.params["program_id"])
    redeemed = ctx.query.get("show") == "redeemed"
    before = id_of(ctx.query.get("before"))
    now = ctx.now()
    async with ctx.db.snapshot() as tx:
        program = await tx.vouchers.program(program_id)
        if program is None:
            raise NotFound
        counts = await tx.vouchers.counts(program_id, now)
        courier = await tx.couriers.get(program.courier_id)
        rows = await tx.vouchers.page(program_id, redeemed=redeemed, before=before, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    show = {"show": "redeemed"} if redeemed else {}
    here = f"{VOUCHERS}/{program_id}"
    return Html(
        "vouchers/program",
        {
            "program": program,
            "courier": courier.name if courier else "-",
            "counts": counts,
            "statuses": ctx.labels("labels/program_status"),
            "sizes": ctx.labels("labels/size_class"),
            "districts": dict(districts(ctx.agency)),
            "vouchers": [_voucher_row(ctx, v, program, now) for v in rows],
            "redeemed_only": redeemed,
            "first_page": f"{here}?{urlencode(show)}" if before is not None else None,
            "next_page": f"{here}?{urlencode({**show, 'before': rows[-1].id})}" if more else None,
            "month": f"{ctx.today():%Y-%m}",
        },
    )


ProgramAction = Callable[[Transaction, int], Awaitable[dict[str, Any]]]


async def _on_program(ctx: PageContext, action: ProgramAction, notice: str) -> Redirect:
    """Run one program function under the program's lock; its refusal or success is the next notice."""
    program_id = int(ctx.params["program_id"])
    try:
        async with ctx.db.transaction(f"voucher-program:{program_id}") as tx:
            values = await action(tx, program_id)
    except ProgramError as exc:
        if exc.code == "no_program":
            raise NotFound from None
        _notice_error(ctx, exc)
    else:
        ctx.notice(notice, {"id": program_id, **values})
    return Redirect(f"{VOUCHERS}/{program_id}")


async def pause_page(ctx: PageContext) -> Redirect:
    async def paused(tx: Transaction, program_id: int) -> dict[str, Any]:
        _program, voided, told = await pause(
            tx,
            program_id,
            reason=ctx.form.get("reason", ""),
            void_issued=ctx.form.get("void_issued") == "1",
            officer=ctx.actor,
            now=ctx.now(),
        )
        return {"voided": voided, "told": told}

    return await _on_program(ctx, paused, "program_paused")


async def resume_page(ctx: PageContext) -> Redirect:
    async def resumed(tx: Transaction, program_id: int) -> dict[str, Any]:
        _program, told = await resume(tx, program_id, officer=ctx.actor, now=ctx.now())
        return {"told": told}

    return await _on_program(ctx, resumed, "program_resumed")


async def close_page(ctx: PageContext) -> Redirect:
    """Closing is for good: the form asks to tick that the officer is sure."""

    async def closed(tx: Transaction, program_id: int) -> dict[str, Any]:
        if ctx.form.get("confirm") != "1":
            raise ProgramError("confirm", "tick the box to confirm")
        _program, told = await close(tx, program_id, officer=ctx.actor, now=ctx.now())
        return {"told": told}

    return await _on_program(ctx, closed, "program_closed")


async def add_courier_page(ctx: PageContext) -> Html | Redirect:
    """A courier partner (if new) and a one-time link code, shown on this answer only."""
    try:
        async with ctx.db.transaction() as tx:
            courier, code = await add_courier(tx, ctx.form.get("name", ""), officer=ctx.actor, now=ctx.now())
    except ProgramError as exc:
        _notice_error(ctx, exc)
        return Redirect(VOUCHERS)
    return Html("vouchers/courier_code", {"courier": courier.name, "code": code})


async def remove_courier_page(ctx: PageContext) -> Redirect:
    try:
        async with ctx.db.transaction() as tx:
            courier, revoked = await remove_courier(
                tx, ctx.form.get("name", ""), officer=ctx.actor, now=ctx.now()
            )
    except ProgramError as exc:
        _notice_error(ctx, exc)
    else:
        ctx.notice("courier_removed", {"courier": courier.name, "revoked": revoked})
    return Redirect(VOUCHERS)


async def export(ctx: PageContext) -> Download | Redirect:
    """The month's reconciliation (every redemption, what the agency pays), as the command
    writes it; audited by `write_report`."""
    back = VOUCHERS if ctx.form.get("back") == VOUCHERS else DOWNLOADS
    month = ctx.form.get("month", "").strip()
    try:
        first, _start, _end = month_bounds(month, ctx.agency.time_zone)
    except MonthError as exc:
        _notice_error(ctx, exc)
        return Redirect(back)
    courier_id = id_of(ctx.form.get("courier"))
    path = download_file("vouchers")
    if courier_id is not None:
        async with ctx.db.snapshot() as tx:
            courier = await tx.couriers.get(courier_id)
        if courier is None:
            path.unlink(missing_ok=True)
            raise NotFound
    await write_report(
        ctx.db,
        path,
        "xlsx",
        month=f"{first:%Y-%m}",
        zone=ctx.agency.time_zone,
        words=report_words(ctx, f"{first:%Y-%m}"),
        courier_id=courier_id,
        officer=ctx.actor,
    )
    return Download(path, f"rekonsiliasi-voucher-{first:%Y-%m}.xlsx")


async def overview_panel(ctx: PageContext) -> Html | None:
    """Ringkasan: programs, vouchers issued, redeemed and paid this month, and each program's
    vouchers as a bar (redeemed, active, no longer usable: expired, voided or their program ended)."""
    async with ctx.db.snapshot() as tx:
        summaries = await program_summaries(tx, now=ctx.now())
        if not summaries:
            return None
        _first, start, end = month_bounds(f"{ctx.today():%Y-%m}", ctx.agency.time_zone)
        redeemed, paid = await tx.vouchers.paid_between(start, end)
    chart = bar_chart(
        [
            (
                s.program.name,
                [
                    s.counts["redeemed"],
                    s.counts["active"],
                    s.counts["expired"] + s.counts["voided"] + s.counts["ended"],
                ],
            )
            for s in summaries
        ]
    )
    return Html(
        "panels/vouchers",
        {
            "programs": len(summaries),
            "open": sum(1 for s in summaries if s.program.status is ProgramStatus.OPEN),
            "issued": sum(s.counts["issued"] for s in summaries),
            "redeemed_month": redeemed,
            "paid_month": paid,
            "chart": chart,
        },
    )


async def downloads_panel(ctx: PageContext) -> Html:
    async with ctx.db.snapshot() as tx:
        couriers = await tx.couriers.all()
    return Html(
        "panels/vouchers_export",
        {"couriers": [(str(c.id), c.name) for c in couriers], "month": f"{ctx.today():%Y-%m}"},
    )


PROGRAM = f"{VOUCHERS}/{{program_id:int}}"
PAGES = (
    Page(VOUCHERS, programs_page, nav=NavEntry("dashboard/nav/vouchers", 50)),
    Page(f"{VOUCHERS}/add", add_program_page, methods=("POST",)),
    Page(PROGRAM, program_page),
    Page(f"{PROGRAM}/pause", pause_page, methods=("POST",)),
    Page(f"{PROGRAM}/resume", resume_page, methods=("POST",)),
    Page(f"{PROGRAM}/close", close_page, methods=("POST",)),
    Page(f"{VOUCHERS}/couriers/add", add_courier_page, methods=("POST",)),
    Page(f"{VOUCHERS}/couriers/remove", remove_courier_page, methods=("POST",)),
    Page(f"{DOWNLOADS}/vouchers", export, methods=("POST",)),
    *SCAN_PAGES,
)
PANELS = (
    Panel("overview", overview_panel, order=30),
    Panel("downloads", downloads_panel, order=30),
)
