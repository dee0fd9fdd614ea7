"""The data-update round's dashboard pages (Pembaruan data): open a round, its progress by
kecamatan and size class (charts), the invitations and reminders sent; its panel on the
Ringkasan page and its results on the Unduh page."""

from __future__ import annotations

from datetime import date
from typing import Any

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
    download_file,
    id_of,
)
from handlers.update_round.commands import chosen_round, write_results
from handlers.update_round.planner import DeadlineInPast, RoundStillOpen, check_deadline, open_round
from handlers.update_round.report import OUTCOMES, RoundReport, round_messages, round_report
from storage.models.update_round import UpdateRound
from storage.repositories import Transaction

ROUNDS = "/dashboard/update-rounds"


def progress_chart(grouped: dict[str, dict[str, int]], names: dict[str, str] | None = None) -> Any:
    """One stacked bar per group: active, closed, no response, waiting."""
    rows = [((names or {}).get(k, k), [counts.get(o, 0) for o in OUTCOMES]) for k, counts in grouped.items()]
    return bar_chart(rows)


async def _figures(ctx: PageContext, tx: Transaction, round_row: UpdateRound) -> dict[str, Any]:
    report: RoundReport = round_report(await tx.update_rounds.stats(round_row))
    messages = await round_messages(tx, round_row.id)
    sizes = ctx.labels("labels/size_class")
    return {
        "round": round_row,
        "report": report,
        "messages": messages,
        "outcomes": OUTCOMES,
        "outcome_names": ctx.labels("update_round/columns"),
        "by_district": progress_chart(report.by_district),
        "by_size": progress_chart(report.by_size, sizes),
        "size_names": sizes,
    }


async def rounds_page(ctx: PageContext) -> Html:
    async with ctx.db.snapshot() as tx:
        asked = ctx.query.get("round")
        if asked and id_of(asked) is None:
            raise NotFound
        shown = await chosen_round(tx, id_of(asked))
        if asked and shown is None:
            raise NotFound
        rounds = await tx.update_rounds.rounds()
        current = await tx.update_rounds.current()
        figures = await _figures(ctx, tx, shown) if shown else None  # the same view as the list
    return Html(
        "update_round/rounds",
        {"rounds": rounds, "current": current, "today": ctx.today(), "figures": figures},
    )


async def open_page(ctx: PageContext) -> Redirect:
    try:
        deadline = check_deadline(date.fromisoformat(ctx.form.get("deadline", "")), ctx.today())
    except DeadlineInPast:
        ctx.notice("deadline_past", error=True)
        return Redirect(ROUNDS)
    except ValueError:
        ctx.notice("deadline_bad", error=True)
        return Redirect(ROUNDS)
    note = " ".join(ctx.form.get("note", "").split()) or None
    try:
        async with ctx.db.transaction("update-round:open") as tx:
            round_row, invited = await open_round(
                tx, officer=ctx.actor, deadline=deadline, note=note, now=ctx.now()
            )
    except RoundStillOpen:
        ctx.notice("round_still_open", error=True)
        return Redirect(ROUNDS)
    ctx.notice("round_opened", {"id": round_row.id, "invited": invited})
    return Redirect(f"{ROUNDS}?round={round_row.id}")


async def export(ctx: PageContext) -> Download | Redirect:
    path = download_file("update-round")
    async with ctx.db.snapshot() as tx:
        asked = ctx.form.get("round", "").strip()
        round_row = None if asked and id_of(asked) is None else await chosen_round(tx, id_of(asked))
    if round_row is None:
        path.unlink(missing_ok=True)
        # A round asked for by number that is not there (or not a number) is not "no rounds yet".
        ctx.notice("no_such_round" if asked else "no_round", {"round": asked} if asked else None, error=True)
        return Redirect("/dashboard/downloads")
    await write_results(ctx, round_row, path)
    return Download(path, f"pembaruan-data-{round_row.id}.xlsx")


async def overview_panel(ctx: PageContext) -> Html | None:
    async with ctx.db.snapshot() as tx:
        current = await tx.update_rounds.current()
        if current is None:
            return None
        return Html("panels/update_round", await _figures(ctx, tx, current))


async def downloads_panel(ctx: PageContext) -> Html | None:
    async with ctx.db.snapshot() as tx:
        rounds = await tx.update_rounds.rounds()
    return Html("panels/update_round_export", {"rounds": rounds})


PAGES = (
    Page(ROUNDS, rounds_page, nav=NavEntry("dashboard/nav/update_rounds", 30)),
    Page(f"{ROUNDS}/open", open_page, methods=("POST",)),
    Page("/dashboard/downloads/update-round", export, methods=("POST",)),
)
PANELS = (
    Panel("overview", overview_panel, order=20),
    Panel("downloads", downloads_panel, order=20),
)
