"""Registration's dashboard pages (Pelaku usaha): the owners list with its search and filters,
an owner's details (masked NIK, revealed to admins, audited), status and NIB corrections, the
NIB help queue, the owners export, and its figures on the Ringkasan page.

Nothing personal goes in a URL: the search's words are posted and kept in the session under
an opaque key (`?q=…`); an owner is addressed by the database id, not by name, NIK or
registration number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from handlers.dashboard.charts import bar_chart, column_chart
from handlers.pages import (
    ADMINS,
    Download,
    Html,
    NavEntry,
    NotFound,
    Page,
    PageContext,
    Panel,
    Redirect,
    download_file,
)
from handlers.registration.admin import (
    OFFICER_STATUSES,
    NoNib,
    NoOpenRequest,
    NoReason,
    NoSuchOwner,
    UnknownDistrict,
    UnknownSector,
    districts,
    export_labels,
    export_owners,
    nib_help_done,
    owner_filter,
    registration_figures,
    set_business_status,
    verify_nib,
    view_owner,
)
from handlers.rules import SIZE_CLASSES, display_phone, region_name
from storage.models.registration import BusinessStatus
from storage.repositories import Transaction
from storage.repositories.registration import OwnerFilter

PAGE_SIZE = 50
OWNERS = "/dashboard/owners"
SEARCHES = "owner_searches"
FILTERS = ("kecamatan", "sector", "size", "status")


def _options(ctx: PageContext) -> dict[str, Any]:
    """The filters' choices, and the words of codes (sizes, statuses, sectors, kecamatan)."""
    return {
        "districts": districts(ctx.agency),
        "sectors": [(s.id, s.name(ctx.locale)) for s in ctx.agency.sectors],
        "sizes": ctx.labels("labels/size_class"),
        "statuses": ctx.labels("labels/business_status"),
        "size_order": SIZE_CLASSES,
    }


def _filter_values(source: dict[str, str] | Any) -> dict[str, str]:
    return {name: str(source.get(name, "")).strip() for name in FILTERS if str(source.get(name, "")).strip()}


def _filter(ctx: PageContext, values: dict[str, str], search: str | None) -> OwnerFilter | None:
    try:
        return owner_filter(
            ctx.agency,
            kecamatan=values.get("kecamatan"),
            sector=values.get("sector"),
            size_class=values.get("size"),
            status=values.get("status"),
            search=search,
        )
    except (UnknownDistrict, UnknownSector, ValueError):
        return None


def _query(values: dict[str, str], **extra: str | int | None) -> str:
    pairs = {**values, **{k: str(v) for k, v in extra.items() if v not in (None, "")}}
    return "?" + urlencode(pairs) if pairs else ""


async def owners_list(ctx: PageContext) -> Html:
    values = _filter_values(ctx.query)
    key = ctx.query.get("q") or None
    search = ctx.recall(SEARCHES, key)
    where = _filter(ctx, values, search)
    if where is None:
        ctx.notice("bad_filter", error=True)
        where, values = OwnerFilter(), {}
    before = _int(ctx.query.get("before"))
    async with ctx.db.snapshot() as tx:
        rows = await tx.owners.page(where, before=before, limit=PAGE_SIZE + 1)
        total = await tx.owners.count(where)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    owners = [
        {
            "id": owner.id,
            "reg_no": owner.reg_no,
            "name": owner.full_name,
            "business": business.name,
            "district": region_name(business.district_code or "") or business.district_code or "-",
            "size": business.size_class,
            "status": str(business.status),
            "registered_at": owner.registered_at,
        }
        for owner, business in rows
    ]
    keep = {**values, **({"q": key} if search and key else {})}
    return Html(
        "owners/list",
        {
            **_options(ctx),
            "owners": owners,
            "total": total,
            "filters": {name: values.get(name, "") for name in FILTERS},
            "filtered": bool(values or search),
            "search": search or "",
            "first_page": _query(keep) if before is not None else None,
            "next_page": _query(keep, before=rows[-1][0].id) if more else None,
        },
    )


async def owners_search(ctx: PageContext) -> Redirect:
    """The search form posts here: its words stay in the session, the URL gets an opaque key."""
    values = _filter_values(ctx.form)
    words = " ".join(ctx.form.get("search", "").split())
    key = ctx.remember(SEARCHES, words) if words else None
    return Redirect(OWNERS + _query(values, q=key))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _owner_id(ctx: PageContext) -> int:
    return int(ctx.params["owner_id"])


async def _detail(
    ctx: PageContext, *, reveal: bool, status_form: dict[str, str] | None = None, status: int = 200
) -> Html:
    """The owner's page; `status_form` is the "Ubah status" form as typed, with its refusal."""
    async with ctx.db.transaction() as tx:
        try:
            view = await view_owner(tx, _owner_id(ctx), officer=ctx.actor, reveal_nik=reveal)
        except NoSuchOwner:
            raise NotFound from None
    owner, business = view.owner, view.business
    sector = ctx.agency.sector(business.sector or "")
    return Html(
        "owners/detail",
        {
            **_options(ctx),
            "owner": {
                "id": owner.id,
                "reg_no": owner.reg_no,
                "name": owner.full_name,
                "nik": view.nik,
                "nik_revealed": view.nik_revealed,
                "phone": display_phone(owner.phone) if owner.phone else "-",
                "registered_at": owner.registered_at,
                "consent_at": owner.consent_at,
            },
            "business": {
                "name": business.name,
                "sector": sector.name(ctx.locale) if sector else business.sector,
                "kbli": business.kbli,
                "district": region_name(business.district_code or "") or business.district_code,
                "village": region_name(business.village_code or "") or business.village_code,
                "street": business.street,
                "year_started": business.year_started,
                "workers": business.workers,
                "annual_sales": business.annual_sales,
                "capital": business.capital,
                "size": business.size_class,
                "nib": business.nib,
                "nib_verified": business.nib_verified,
                "status": str(business.status),
            },
            "nib_help_open": view.nib_help_open,
            "officer_statuses": [str(s) for s in OFFICER_STATUSES],
            "status_form": status_form or {"status": str(business.status), "reason": "", "error": ""},
        },
        status=status,
    )


async def owner_detail(ctx: PageContext) -> Html:
    return await _detail(ctx, reveal=False)


async def reveal_nik(ctx: PageContext) -> Html:
    """Admins only (the page's roles): the detail page again, with the NIK in clear; audited."""
    return await _detail(ctx, reveal=True)


async def _reg_no(ctx: PageContext) -> str:
    async with ctx.db.transaction() as tx:
        found = await tx.owners.get(_owner_id(ctx))
    if found is None or found[0].reg_no is None:
        raise NotFound
    return found[0].reg_no


async def set_status(ctx: PageContext) -> Html | Redirect:
    reg_no = await _reg_no(ctx)
    back = Redirect(f"{OWNERS}/{_owner_id(ctx)}")
    try:
        status = BusinessStatus(ctx.form.get("status", ""))
    except ValueError:
        status = None
    if status not in OFFICER_STATUSES:
        ctx.notice("bad_status", error=True)
        return back
    try:
        async with ctx.db.transaction() as tx:
            await set_business_status(
                tx, reg_no, status, reason=ctx.form.get("reason", ""), officer=ctx.actor, now=ctx.now()
            )
    except NoReason:
        error = ctx.renderer.render("dashboard/notices/reason_missing", ctx.locale).strip()
        typed = {"status": str(status), "reason": "", "error": error}
        return await _detail(ctx, reveal=False, status_form=typed, status=400)
    ctx.notice("status_set", {"status": ctx.labels("labels/business_status")[status]})
    return back


async def _correct(
    ctx: PageContext,
    action: Callable[[Transaction, str], Awaitable[object]],
    refusal: type[Exception],
    notices: tuple[str, str],
) -> str:
    """Run one correction on the owner of the path; its refusal or success is the next notice."""
    reg_no = await _reg_no(ctx)
    try:
        async with ctx.db.transaction() as tx:
            await action(tx, reg_no)
    except refusal:
        ctx.notice(notices[0], error=True)
    else:
        ctx.notice(notices[1], {"reg_no": reg_no})
    return f"{OWNERS}/{_owner_id(ctx)}"


async def mark_nib_verified(ctx: PageContext) -> Redirect:
    verify = partial(verify_nib, officer=ctx.actor, now=ctx.now())
    return Redirect(await _correct(ctx, verify, NoNib, ("no_nib", "nib_verified")))


async def nib_done(ctx: PageContext) -> Redirect:
    done = partial(nib_help_done, officer=ctx.actor, now=ctx.now())
    detail = await _correct(ctx, done, NoOpenRequest, ("no_nib_request", "nib_help_done"))
    return Redirect(NIB_QUEUE if ctx.form.get("back") == NIB_QUEUE else detail)


NIB_QUEUE = "/dashboard/nib-queue"


async def nib_queue(ctx: PageContext) -> Html:
    after = _int(ctx.query.get("after"))
    async with ctx.db.snapshot() as tx:
        entries = await tx.nib_queue.pending(after=after, limit=PAGE_SIZE + 1)
        total = await tx.nib_queue.pending_count()
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    return Html(
        "owners/nib_queue",
        {
            "entries": [
                {
                    "owner_id": e.owner.id,
                    "reg_no": e.owner.reg_no,
                    "since": e.request.created_at,
                    "name": e.owner.full_name,
                    "phone": display_phone(e.owner.phone) if e.owner.phone else "-",
                    "business": e.business.name,
                    "district": region_name(e.business.district_code or "") or "-",
                }
                for e in entries
            ],
            "total": total,
            "first_page": NIB_QUEUE if after is not None else None,
            "next_page": f"{NIB_QUEUE}?after={entries[-1].request.id}" if more else None,
        },
    )


def _with_nik(ctx: PageContext) -> bool:
    return ctx.form.get("with_nik") == "1" and ctx.officer.is_admin


async def export(ctx: PageContext) -> Download | Redirect:
    """Unduh: the owners (with the chosen filters) as a streamed XLSX; audited."""
    where = _filter(ctx, _filter_values(ctx.form), None)
    if where is None:
        ctx.notice("bad_filter", error=True)
        return Redirect("/dashboard/downloads")
    path = download_file("owners")
    await export_owners(
        ctx.db,
        path,
        "xlsx",
        agency=ctx.agency,
        labels=export_labels(ctx),
        where=where,
        with_nik=_with_nik(ctx),
        officer=ctx.actor,
    )
    return Download(path, f"pelaku-usaha-{ctx.today().isoformat()}.xlsx")


async def overview_panel(ctx: PageContext) -> Html:
    async with ctx.db.snapshot() as tx:
        figures = await registration_figures(tx, now=ctx.now(), zone=ctx.agency.time_zone)
        waiting_nib = await tx.nib_queue.pending_count()
    sizes = ctx.labels("labels/size_class")
    statuses = ctx.labels("labels/business_status")
    sectors = {s.id: s.name(ctx.locale) for s in ctx.agency.sectors}

    def chart(counts: dict[str, int], names: dict[str, str], top: int = 12) -> Any:
        rows = [(names.get(k, k), [v]) for k, v in list(counts.items())[:top]]
        return bar_chart(rows)

    districts_named = {code: region_name(code) or code for code in figures.by_district}
    return Html(
        "panels/registration",
        {
            "total": figures.total,
            "waiting_nib": waiting_nib,
            "by_size": chart(figures.by_size, sizes),
            "by_status": chart(figures.by_status, statuses),
            "by_sector": chart(figures.by_sector, sectors),
            "by_district": chart(figures.by_district, districts_named, top=20),
            "weekly": column_chart([(day.strftime("%d/%m"), n) for day, n in figures.weekly]),
            "weekly_total": sum(n for _, n in figures.weekly),
        },
    )


async def downloads_panel(ctx: PageContext) -> Html:
    return Html("panels/owners_export", {**_options(ctx), "can_export_nik": ctx.officer.is_admin})


PAGES = (
    Page(OWNERS, owners_list, nav=NavEntry("dashboard/nav/owners", 20)),
    Page(f"{OWNERS}/search", owners_search, methods=("POST",)),
    Page(f"{OWNERS}/{{owner_id:int}}", owner_detail),
    Page(f"{OWNERS}/{{owner_id:int}}/nik", reveal_nik, methods=("POST",), roles=ADMINS),
    Page(f"{OWNERS}/{{owner_id:int}}/status", set_status, methods=("POST",)),
    Page(f"{OWNERS}/{{owner_id:int}}/verify-nib", mark_nib_verified, methods=("POST",)),
    Page(f"{OWNERS}/{{owner_id:int}}/nib-done", nib_done, methods=("POST",)),
    Page(NIB_QUEUE, nib_queue, nav=NavEntry("dashboard/nav/nib_queue", 25)),
    Page("/dashboard/downloads/owners", export, methods=("POST",)),
)
PANELS = (
    Panel("overview", overview_panel, order=10),
    Panel("downloads", downloads_panel, order=10),
)
