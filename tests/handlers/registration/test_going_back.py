"""`kembali` from the summary, one question at a time: each question asked again shows its
current answer as the summary does (Rupiah, the phone as written, a skipped KBLI in words) on a
line of its own, and sending back what it shows keeps the answer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from bot.app import App
from storage.models import ConversationState, Owner
from tests.handlers.registration.conversation import HAPPY_PATH, NIK, Send, router_sender, to_summary

NOTE = {
    "id": re.compile(r"\n\(Jawaban sekarang: (?P<shown>.+)\. (?:Kirim lagi|Pilih (?P<choice>.+) lagi)"),
    "en": re.compile(r"\n\(Current answer: (?P<shown>.+)\. (?:Send it again|Choose (?P<choice>.+) again)"),
}
SHOWN = {
    "id": [
        "belum punya",
        "Rp20.000.000",
        "Rp150.000.000",
        "3 orang",
        "2019",
        "Jl. A. Yani Km. 5 No. 12",
        "tidak diisi",
        "Warung Bu Tini",
        "0812-3456-7890",
        "Siti Aminah",
    ],
    "en": [
        "not yet",
        "Rp20.000.000",
        "Rp150.000.000",
        "3",
        "2019",
        "Jl. A. Yani Km. 5 No. 12",
        "not given",
        "Warung Bu Tini",
        "0812-3456-7890",
        "Siti Aminah",
    ],
}


def _answers(locale: str) -> list[str]:
    """What the owner sends from the notice to the NIB help question (choices by number in English,
    where their labels differ); the KBLI skipped."""
    answers = [text for text, _expected in HAPPY_PATH[2:]]
    answers = ["Lewati" if text == "56101" else text for text in answers]
    if locale == "en":
        by_number = {"Setuju", "Benar", "Kuliner (makanan & minuman)", "Lewati", "belum punya", "Ya"}
        answers = ["1" if text in by_number else text for text in answers]
    return answers


async def _to_summary_without_kbli(send: Send, locale: str) -> str:
    await send("halo")
    if locale == "en":
        await send("Ganti bahasa / Language")
        await send("English")
    await send("1")  # Daftar usaha
    replies: list[str] = []
    for text in _answers(locale):
        replies = await send(text)
    return "\n".join(replies)


@pytest.mark.parametrize("locale", ["id", "en"])
async def test_each_answer_asked_again_reads_as_in_the_summary_and_sending_it_back_keeps_it(
    app: App, locale: str
) -> None:
    send = router_sender(app.router, app.renderer, "console", f"siti-{locale}")
    summary = await _to_summary_without_kbli(send, locale)
    assert ("KBLI: tidak diisi" if locale == "id" else "KBLI: not given") in summary
    shown: list[str] = []
    for steps, answer in enumerate(reversed(_answers(locale)), 1):  # back to the name, question by question
        asked = ""
        for _ in range(steps):
            asked = "\n".join(await send("kembali"))
        note = NOTE[locale].search(asked)
        if note is None:  # a question that takes only a choice, or the NIK (never shown back)
            assert "None" not in asked and "none" not in asked.lower().split(), asked
            resumed = "\n".join(await send(answer))
            if answer == NIK:
                resumed = "\n".join(await send("1"))  # "Benar": the NIK is read out again
        else:
            shown.append(note["shown"])
            resumed = "\n".join(await send(note["choice"] or note["shown"]))
        assert resumed == summary, f"after keeping {note['shown'] if note else answer!r}:\n{resumed}"
    assert shown == SHOWN[locale]


async def test_back_while_correcting_one_answer_returns_to_the_summary_unchanged(app: App) -> None:
    send = router_sender(app.router, app.renderer, "console", "siti")
    await to_summary(send)
    await send("Simpan")
    await send("menu")
    summary = "\n".join(await send("Ubah data"))
    assert "Ringkasan pendaftaran" in summary

    await send("Ubah jawaban")
    asked = "\n".join(await send("NIK"))
    assert "NIK" in asked
    assert "\n".join(await send("kembali")) == summary  # not the name question
    picking = "\n".join(await send("Ubah jawaban"))  # a button of the summary, not a name
    assert "Jawaban mana yang ingin diubah" in picking

    await send("Kecamatan")
    village = "\n".join(await send("Banjarbaru Selatan"))  # a change that asks the kelurahan again
    assert "kelurahan/desa" in village
    assert "kecamatan" in "\n".join(await send("kembali")).lower()
    assert "\n".join(await send("kembali")) == summary  # the kecamatan and kelurahan as they were

    await send("Ubah jawaban")
    assert "\n".join(await send("kembali")) == summary  # out of the list: the summary again
    # No question was asked on the way in: the menu, the correction kept as `menu` keeps it.
    menu = "\n".join(await send("kembali"))
    assert "Menu utama" in menu and "Nama usaha" not in menu
    async with app.db.transaction() as tx:
        owner = (await tx.session.execute(select(Owner))).scalar_one()
    assert owner.full_name == "Siti Aminah"


async def test_a_form_saved_before_questions_were_kept_goes_back_to_the_last_answered(app: App) -> None:
    """A conversation going on when this version is deployed has no list of asked questions:
    every answered question counts as asked, so `kembali` still goes back one question rather
    than out of the form."""
    send = router_sender(app.router, app.renderer, "console", "siti")
    summary = await to_summary(send)
    async with app.db.transaction() as tx:
        state = (await tx.session.execute(select(ConversationState))).scalar_one()
        data = dict(state.data)
        del data["data"]["asked"]  # as an earlier version stored it
        state.data = data
        flag_modified(state, "data")
    asked = "\n".join(await send("kembali"))
    assert "Menu utama" not in asked and asked != summary
    assert "NIB" in asked  # the last question of the happy path
