"""A form whose `confirm_when` says no completes on its last answer, without the summary; one that
says yes shows the summary as every form does."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.agency import AgencyProfile
from handlers.flow import MenuEntry
from handlers.forms import FormFlow
from storage.database import Database
from tests.handlers.forms.sample_form import COMPLETED, SAMPLE_FORM
from tests.handlers.harness import Harness


async def _start(ctx, conv):  # type: ignore[no-untyped-def]
    return await ctx.nav.start_flow(ctx, conv, "sample")


@pytest.fixture(autouse=True)
def _clear() -> None:
    COMPLETED.clear()


def harness(db: Database, agency: AgencyProfile) -> Harness:
    # Confirm only when the owner said they have workers.
    form = replace(SAMPLE_FORM, confirm_when=lambda answers: bool(answers.get("has_workers")))
    return Harness(db, agency, [FormFlow(form)], [MenuEntry("sample", "menu/help", _start)])


async def test_the_last_answer_completes_the_form_when_no_confirmation_is_wanted(
    db: Database, agency: AgencyProfile
) -> None:
    h = harness(db, agency)
    await h.say("halo")
    for answer in ("1", "Siti Aminah", "Tidak", "Kecamatan 03"):
        await h.say(answer)
    assert h.templates[0] == "errors/empty_answer"  # the prompt of the optional note
    await h.say("catatan singkat")
    assert h.templates == ["language/changed", "menu/main"], "completed, then the main menu"
    assert COMPLETED == [
        {"name": "Siti Aminah", "has_workers": False, "region": "63.72.03", "note": "catatan singkat"}
    ]


async def test_the_summary_still_comes_when_confirmation_is_wanted(
    db: Database, agency: AgencyProfile
) -> None:
    h = harness(db, agency)
    await h.say("halo")
    for answer in ("1", "Siti Aminah", "Ya", "3", "Kecamatan 03", "catatan singkat"):
        await h.say(answer)
    assert h.templates == ["form/resume"] and COMPLETED == []
