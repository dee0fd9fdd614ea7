"""Every XLSX an officer exports names its sheet in the officer's language (OFFICER_LOCALE), as
its headers are: the owners, the import report, the voucher reconciliation, a training's
participants and a data-update round's answers, each opened as Excel would open it."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.settings import Settings
from handlers.spreadsheet import SHEET_TITLE_MOST, sheet_title
from messages import LOCALES, Renderer
from tests.bot.outbox.seed import seed_owners
from tests.handlers.registration.imports import ANI, write_csv
from tests.handlers.trainings.helpers import WITA, Clock, Officer, add_training

#: The command, and the sheet title it writes in Indonesian and in English.
EXPORTS = [
    (["owners", "export", "-o", "{out}"], "Pelaku Usaha", "Business Owners"),
    (["owners", "import", "{source}", "--dry-run", "--report", "{out}"], "Laporan impor", "Import report"),
    (["voucher", "report", "--month", "2026-03", "-o", "{out}"], "Rekonsiliasi 2026-03", "Reconciliation 2026-03"),
    (["training", "participants", "{training}", "-o", "{out}"], "Pelatihan {training}", "Training {training}"),
    (["update-round", "export", "-o", "{out}"], "Pembaruan Data", "Data Update"),
]  # fmt: skip


@pytest.mark.parametrize("export", EXPORTS, ids=[" ".join(argv[:2]) for argv, _id, _en in EXPORTS])
async def test_each_export_names_its_sheet_in_the_officers_language(
    app: App, settings: Settings, tmp_path: Path, export: tuple[list[str], str, str]
) -> None:
    argv, indonesian, english = export
    await seed_owners(app.db, 2)
    training = await add_training(app.db)
    source = write_csv(tmp_path / "umkm.csv", [ANI])
    for locale, words in zip(LOCALES, (indonesian, english), strict=True):
        officer = Officer(app.db, app.agency, settings.model_copy(update={"officer_locale": locale}), Clock())
        if argv[0] == "update-round" and locale == LOCALES[0]:
            await officer.run("update-round", "open", "--deadline", "2026-03-31")
        out = tmp_path / f"{locale}.xlsx"
        values = {"out": out, "source": source, "training": training.id}
        await officer.run(*(part.format(**values) for part in argv))
        assert load_workbook(out, read_only=True).sheetnames == [words.format(**values)], locale


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("owners/sheet", {}),
        ("import/report_sheet", {}),
        ("vouchers/report_sheet", {"month": "2026-12"}),
        ("trainings/participants_sheet", {"id": 2_147_483_647}),
        ("update_round/export_sheet", {}),
    ],
)
def test_sheet_titles_are_ones_excel_takes_as_written(
    locale: str, name: str, values: dict[str, object]
) -> None:
    """At most 31 characters, none of []:*?/\\ — with the longest value each can hold."""
    title = Renderer(WITA).render(f"officer/{name}", locale, values)
    assert 0 < len(title) <= SHEET_TITLE_MOST and sheet_title(title) == title


def test_a_title_excel_would_refuse_is_made_one_it_takes() -> None:
    assert sheet_title("Rekonsiliasi 2026/03: [semua]*?") == "Rekonsiliasi 2026 03 semua"
    assert sheet_title("Peserta " + "x" * 40) == "Peserta " + "x" * 23
