"""The trainings' figures on the dashboard, over the functions `umkm-bot training stats|participants`
call:

    GET  /dashboard/trainings/stats?year=2026   per training, topic and kecamatan of the venue; the
                                                year against the target (the command's figures), charts
    POST /dashboard/downloads/trainings         one training's participants as XLSX (audited)

and the trainings' panels: figures and the coming trainings' seats on Ringkasan, the participants'
download on Unduh.
"""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.dashboard.charts import bar_chart
from handlers.pages import Download, Html, NotFound, Page, PageContext, Panel, Redirect, download_file, id_of
from handlers.trainings.page_values import DOWNLOAD, TRAININGS, training_or_404
from handlers.trainings.participants import export_participants
from handlers.trainings.reports import participant_words, stats_groups
from handlers.trainings.stats import Figures, is_report_year, year_attendance, year_stats

STATS = f"{TRAININGS}/stats"
#: The coming trainings the Ringkasan panel draws.
COMING = 6


def _year(ctx: PageContext) -> int:
    """`?year=2026`; this year when it is not a year the figures can be asked for."""
    text = ctx.query.get("year", "")
    asked = int(text) if len(text) == 4 and text.isdigit() else None
    return asked if asked is not None and is_report_year(asked) else ctx.today().year


def _bars(rows: dict[str, Figures]) -> list[tuple[str, list[int]]]:
    """Attended, no-shows and still waiting, per row."""
    return [(label, [f.attended, f.no_shows, f.waiting]) for label, f in rows.items()]


async def stats_page(ctx: PageContext) -> Html:
    year = _year(ctx)
    async with ctx.db.snapshot() as tx:
        stats = await year_stats(tx, ctx.agency, year, ctx.now())
    groups = stats_groups(ctx, stats)
    return Html(
        "trainings/stats",
        {
            "year": year,
            "groups": [(name, rows, bar_chart(_bars(rows))) for name, rows in groups],
            "titles": ctx.labels("trainings/stats_titles"),
            "total": stats.total,
            "people": stats.people_attended,
            "target": stats.target,
            "cancelled": stats.cancelled,
        },
    )


async def export(ctx: PageContext) -> Download | Redirect:
    """One training's participants (confirmed, waiting, withdrawn, attended, ratings), as the
    command writes them with `-o`; audited by `export_participants`."""
    number = id_of(ctx.form.get("training"))
    if number is None:
        ctx.notice("training_error", {"code": "no_training", "id": ""}, error=True)
        return Redirect("/dashboard/downloads")
    path = download_file("training")
    try:
        async with ctx.db.snapshot() as tx:
            await training_or_404(tx, number)
    except NotFound:
        path.unlink(missing_ok=True)
        raise
    await export_participants(
        ctx.db,
        ctx.agency,
        officer=ctx.actor,
        training_id=number,
        path=path,
        file_format="xlsx",
        **participant_words(ctx, number),
    )
    return Download(path, f"peserta-pelatihan-{number}.xlsx")


async def overview_panel(ctx: PageContext) -> Html | None:
    """Ringkasan: trainings coming, their seats and waiting lists (a bar each), and the year's
    attendance against the target."""
    async with ctx.db.snapshot() as tx:
        coming = await tx.trainings.upcoming(ctx.now())
        figures = await tx.trainings.figures([t.id for t in coming])
        year = await year_attendance(tx, ctx.agency, ctx.today().year)
    if not coming and not year.trainings:
        return None
    chart = bar_chart(
        [
            (
                t.title,
                [
                    figures[t.id].held,
                    max(0, t.capacity - figures[t.id].held),
                    figures[t.id].waiting,
                ],
            )
            for t in coming[:COMING]
        ]
    )
    return Html(
        "panels/trainings",
        {
            "coming": len(coming),
            "held": sum(f.held for f in figures.values()),
            "capacity": sum(t.capacity for t in coming),
            "waiting": sum(f.waiting for f in figures.values()),
            "year": year.year,
            "attended": year.attended,
            "people": year.people,
            "target": year.target,
            "chart": chart,
        },
    )


async def downloads_panel(ctx: PageContext) -> Html:
    async with ctx.db.snapshot() as tx:
        trainings = await tx.trainings.listing(starts_from=datetime(ctx.today().year - 1, 1, 1, tzinfo=UTC))
    return Html(
        "panels/trainings_export",
        {"trainings": [(str(t.id), t.title, t.starts_at) for t in reversed(trainings)]},
    )


FIGURE_PAGES = (
    Page(STATS, stats_page),
    Page(DOWNLOAD, export, methods=("POST",)),
)
PANELS = (
    Panel("overview", overview_panel, order=40),
    Panel("downloads", downloads_panel, order=40),
)
