"""The form engine through the real router: hints, conditions, paging, summary edits, back, idle, restart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.agency import AgencyProfile
from handlers.flow import MenuEntry
from handlers.menu import HELP_ENTRY, LANGUAGE_ENTRY, LanguageFlow
from storage.database import Database
from tests.handlers.forms.sample_form import COMPLETED, sample_flow
from tests.handlers.harness import Clock, Harness


async def _start_sample(ctx, conv):  # type: ignore[no-untyped-def]
    return await ctx.nav.start_flow(ctx, conv, "sample")


SAMPLE_ENTRY = MenuEntry("sample", "menu/help", _start_sample)


def harness(db: Database, agency: AgencyProfile, clock: Clock | None = None) -> Harness:
    return Harness(
        db, agency, [sample_flow(), LanguageFlow()], [SAMPLE_ENTRY, LANGUAGE_ENTRY, HELP_ENTRY], clock=clock
    )


async def state(db: Database, user: int = 1) -> tuple[str | None, str | None, dict]:  # type: ignore[type-arg]
    async with db.transaction() as tx:
        s = await tx.states.load(user)
        return s.flow, s.step, s.data


@pytest.fixture(autouse=True)
def _clear() -> None:
    COMPLETED.clear()


async def test_a_whole_form_with_a_wrong_answer_re_asked_and_kept_answers(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")  # the sample form's menu entry
    assert (await state(db))[1] == "name"
    reply = await h.say("!!")  # no letters: refused with the name hint, then asked again
    assert h.templates == ["errors/name_format", "help/general"]
    assert "huruf" in reply
    await h.say("Siti Aminah")
    await h.say("Ya")  # typed label selects the option
    assert (await state(db))[1] == "workers"
    await h.say("banyak sekali")
    assert h.templates == ["errors/workers_format", "errors/workers_format"]
    _flow, step, data = await state(db)
    assert step == "workers" and data["data"]["answers"] == {"name": "Siti Aminah", "has_workers": True}
    await h.say("3")
    assert (await state(db))[1] == "region"


async def test_conditional_field_is_skipped_and_choices_are_paged(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")
    await h.say("Budi")
    await h.say("Tidak")
    assert (await state(db))[1] == "region"  # workers skipped: has_workers is False
    assert h.choices[:2] == ["Kecamatan 01", "Kecamatan 02"]
    assert len(h.choices) == 11 and h.choice_ids[-1] == "nav:next"
    await h.say("11")  # Berikutnya
    assert h.choices[0] == "Kecamatan 11" and h.choice_ids[-2:] == ["nav:prev", "nav:next"]
    await h.say("Berikutnya »")
    assert h.choices == [
        "Kecamatan 21",
        "Kecamatan 22",
        "Kecamatan 23",
        "Kecamatan 24",
        "Kecamatan 25",
        "« Sebelumnya",
    ]
    await h.say("5")
    _flow, step, data = await state(db)
    assert data["data"]["answers"]["region"] == "63.72.25" and step == "note"


async def test_summary_changes_one_answer_then_confirms(db: Database, agency) -> None:
    h = harness(db, agency)
    for text in ("halo", "1", "Budi", "Tidak", "3", "Lewati"):
        await h.say(text)
    assert (await state(db))[1] == "_summary"
    assert h.choices == ["✅ Simpan", "✏️ Ubah jawaban", "❌ Batal"]
    await h.say("2")  # change an answer
    assert (await state(db))[1] == "_pick"
    await h.say("Bantuan")  # the label of the first field ("name")
    assert (await state(db))[1] == "name"
    await h.say("Budi Santoso")
    assert (await state(db))[1] == "_summary"  # straight back: everything else is answered
    await h.say("1")
    assert h.templates == ["language/changed", "menu/main"]  # the closing reply, then the menu
    assert COMPLETED == [{"name": "Budi Santoso", "has_workers": False, "region": "63.72.03", "note": None}]
    flow, _step, data = await state(db)
    assert flow is None and data["drafts"] == {}


async def test_changing_an_answer_clears_the_answers_that_depend_on_it(db: Database, agency) -> None:
    h = harness(db, agency)
    for text in ("halo", "1", "Budi", "Tidak", "3", "Catatan saya", "2"):
        await h.say(text)
    await h.say("Berikutnya »")  # the region field's label
    await h.say("4")
    assert (await state(db))[1] == "note"  # note depended on region and is asked again


async def test_back_returns_to_the_previous_question(db: Database, agency) -> None:
    h = harness(db, agency)
    for text in ("halo", "1", "Budi", "Ya"):
        await h.say(text)
    await h.say("kembali")
    assert (await state(db))[1] == "has_workers"
    await h.say("kembali")
    assert (await state(db))[1] == "name"
    await h.say("kembali")  # before the first question: the menu, the answers kept as a draft
    flow, _step, data = await state(db)
    assert flow is None and data["drafts"]["sample"]["answers"]["name"] == "Budi"


async def test_menu_keeps_a_draft_and_coming_back_offers_to_continue(db: Database, agency) -> None:
    h = harness(db, agency)
    for text in ("halo", "1", "Budi", "Ya"):
        await h.say(text)
    reply = await h.say("menu")
    assert "masih tersimpan" in reply
    await h.say("1")
    assert h.templates == ["form/resume"]
    await h.say("Lanjutkan")
    assert (await state(db))[1] == "workers"


async def test_cancel_drops_the_answers(db: Database, agency) -> None:
    h = harness(db, agency)
    for text in ("halo", "1", "Budi"):
        await h.say(text)
    await h.say("batal")
    assert h.templates[0] == "form/cancelled"
    flow, _step, data = await state(db)
    assert flow is None and data["drafts"] == {}


async def test_a_form_left_idle_offers_continue_or_start_over(db: Database, agency) -> None:
    clock = Clock()
    h = harness(db, agency, clock)
    for text in ("halo", "1", "Budi", "Ya"):
        await h.say(text)
    clock.now += timedelta(hours=25)
    await h.say("5")  # would be a valid answer, but after a day the owner is asked first
    assert h.templates == ["form/resume"]
    await h.say("Mulai dari awal")
    _flow, step, data = await state(db)
    assert step == "name" and data["data"]["answers"] == {}


async def test_a_restart_resumes_at_the_same_field(db: Database, agency) -> None:
    first = harness(db, agency)
    for text in ("halo", "1", "Budi", "Ya"):
        await first.say(text)
    second = harness(db, agency)  # a new router, as after a process restart
    await second.say("7")
    _flow, step, data = await state(db)
    assert step == "region" and data["data"]["answers"]["workers"] == 7
