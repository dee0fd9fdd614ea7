"""Check-in at the venue: the officer shows the code of the day, a participant sends HADIR and the
code (or picks Hadir and types it) from an hour before the start until the end."""

from __future__ import annotations

import re
from datetime import timedelta

from storage.database import Database
from tests.handlers.trainings.helpers import (
    ENDS,
    STARTS,
    Chat,
    Clock,
    Officer,
    add_training,
    enrolments,
    option,
    signed_up,
)


async def _code(officer: Officer, training_id: int, *day: str) -> str:
    shown = await officer.run("training", "checkin-code", str(training_id), *day)
    found = re.search(r"HADIR (\d{4})", shown)
    assert found, shown
    return found.group(1)


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
