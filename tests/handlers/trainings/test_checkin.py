"""Check-in at the venue or in an online session: the officer shows the code of the day, a
participant sends HADIR and the code (or picks Hadir and types it) from an hour before the start
until the end."""

from __future__ import annotations

import re
from datetime import timedelta

from handlers.payload import reply_from_payload
from messages import Renderer, to_plain
from storage.database import Database
from tests.handlers.trainings.helpers import (
    ENDS,
    STARTS,
    Chat,
    Clock,
    Officer,
    Scene,
    add_training,
    enrolments,
    option,
    outbox_rows,
    register_owner,
    signed_up,
    wita,
)


async def _code(officer: Officer, training_id: int, *day: str) -> str:
    shown = await officer.run("training", "checkin-code", str(training_id), *day)
    found = re.search(r"HADIR (\d{4})", shown)
    assert found, shown
    return found.group(1)


TG = "telegram"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10_000:04d}"


async def test_hadir_with_the_code_of_the_day_checks_a_participant_in_within_the_window(
    db: Database, chat: Chat, clock: Clock, officer: Officer
) -> None:
    training = await add_training(db)
    await signed_up(chat, training.id, "siti")
    clock.now = STARTS - timedelta(hours=3)
    code = await _code(officer, training.id)
    assert "berlaku" in (await officer.run("training", "checkin-code", str(training.id))).lower()

    early = await chat.say("siti", f"HADIR {code}")
    assert "tidak ada pelatihan Anda yang sedang membuka absen" in early
    assert "Hadir di pelatihan" not in early  # the menu entry shows only while check-in is open

    clock.now = STARTS - timedelta(minutes=50)
    wrong = await chat.say("siti", f"hadir {_wrong(code)}")
    assert "Kode itu salah" in wrong and "sisa 4 kali" in wrong
    short = await chat.say("siti", "HADIR 48")
    assert "4 angka" in short
    done = await chat.say("siti", f"Hadir {code}")
    assert "tercatat hadir di Sablon kaos untuk pemula" in done
    [enrolment] = await enrolments(db)
    assert enrolment.attended_at == clock.now and enrolment.checked_in_by == "self"
    assert "sudah tercatat hadir" in await chat.say("siti", f"HADIR {code}")


async def test_picking_hadir_asks_for_the_code_until_it_is_right(
    db: Database, chat: Chat, clock: Clock, officer: Officer
) -> None:
    training = await add_training(db)
    await signed_up(chat, training.id, "siti")
    clock.now = STARTS + timedelta(hours=1)
    code = await _code(officer, training.id)
    menu = await chat.say("siti", "menu")
    asked = await chat.say("siti", option(menu, "Hadir di pelatihan"))
    assert "kode hadir" in asked
    asked = await chat.say("siti", "12")
    assert "4 angka" in asked and "kode hadir" in asked
    asked = await chat.say("siti", _wrong(code))
    assert "Kode itu salah" in asked and "kode hadir" in asked
    done = await chat.say("siti", code)
    assert "tercatat hadir" in done
    assert (await enrolments(db))[0].attended_at is not None


async def test_five_wrong_codes_leave_it_to_the_officer(
    db: Database, chat: Chat, clock: Clock, officer: Officer
) -> None:
    training = await add_training(db)
    await signed_up(chat, training.id, "siti")
    clock.now = STARTS
    code = await _code(officer, training.id)
    for _ in range(4):
        await chat.say("siti", f"HADIR {_wrong(code)}")
    locked = await chat.say("siti", f"HADIR {_wrong(code)}")
    assert "minta petugas" in locked
    assert "minta petugas" in await chat.say("siti", f"HADIR {code}"), "the right code no longer helps"
    checked = await officer.run("training", "checkin", str(training.id), "BJB-2026-000001")
    assert "Pemilik 1 tercatat hadir di pelatihan" in checked
    assert (await enrolments(db))[0].checked_in_by == "officer:test"


async def test_the_code_is_of_one_day_and_useless_after_the_end(
    db: Database, chat: Chat, clock: Clock, officer: Officer
) -> None:
    training = await add_training(db, ends_at=ENDS + timedelta(days=1))  # Saturday and Sunday
    await signed_up(chat, training.id, "siti")
    saturday = await _code(officer, training.id, "--date", "2026-03-14")
    sunday = await _code(officer, training.id, "--date", "2026-03-15")
    assert saturday != sunday
    clock.now = ENDS + timedelta(days=1, minutes=1)
    assert "tidak ada pelatihan Anda yang sedang membuka absen" in await chat.say("siti", f"HADIR {sunday}")
    assert (await enrolments(db))[0].attended_at is None


async def test_an_online_training_says_where_the_code_comes_from_online_in_both_languages(
    scene: Scene,
) -> None:
    db, chat, clock, officer, agency = scene.db, scene.chat, scene.clock, scene.officer, scene.agency
    online = await add_training(
        db, title="Pemasaran digital", topic="pemasaran_digital", venue=None, district_code=None,
        online_url="https://meet.example/x",
    )  # fmt: skip
    venue = await add_training(db)
    siti, gita = "701", "702"
    await register_owner(db, siti, 1, channel=TG)
    await register_owner(db, gita, 2, channel=TG)
    menu = await chat.send(gita, "menu", channel=TG)
    menu = await chat.send(gita, option(menu, "Ganti bahasa"), channel=TG)
    await chat.send(gita, option(menu, "English"), channel=TG)

    signed = await chat.send(siti, f"DAFTAR {online.id}", channel=TG)
    assert "Selama sesi daring, kirim HADIR dan kode yang dibagikan petugas di sesi itu" in signed
    assert "Di lokasi" not in signed
    signed = await chat.send(gita, f"JOIN {online.id}", channel=TG)
    assert "During the online session, send ATTEND and the code the officer shares there" in signed
    assert "At the venue" not in signed
    assert "Di lokasi, kirim HADIR" in await chat.send(siti, f"DAFTAR {venue.id}", channel=TG)
    assert "At the venue, send ATTEND" in await chat.send(gita, f"JOIN {venue.id}", channel=TG)

    await scene.planner().plan(wita(2026, 3, 13, 9))  # the day-before reminders
    renderer = Renderer(agency.time_zone, agency.template_values())
    reminders = {
        (row.payload["values"]["training"]["id"], locale): to_plain(
            renderer.render_reply(reply_from_payload(row.payload), locale).text
        )
        for row in await outbox_rows(db, "training.reminder")
        for locale in ("id", "en")
    }
    assert "Selama sesi daring, kirim HADIR" in reminders[online.id, "id"]
    assert "During the online session, send ATTEND" in reminders[online.id, "en"]
    assert "Di lokasi" in reminders[venue.id, "id"] and "At the venue" in reminders[venue.id, "en"]

    clock.now = STARTS
    menu = await chat.send(siti, "menu", channel=TG)
    asked = await chat.send(siti, option(menu, "Hadir di pelatihan"), channel=TG)
    assert "kode hadir 4 angka yang dibagikan petugas di sesi daring" in asked
    code = await _code(officer, online.id)
    for _ in range(5):
        locked = await chat.send(siti, _wrong(code), channel=TG)
    assert "minta petugas di sesi daring mencatat kehadiran Anda" in locked
