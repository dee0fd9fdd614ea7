"""A freed seat goes to the first person waiting, who has TRAINING_OFFER_HOURS to accept it by one
tap (never past the start); an offer that runs out or is declined goes to the next. Driven by a
clock the test moves and by the planner run at chosen times."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.settings import Settings, load_settings
from handlers.agency import AgencyProfile
from handlers.trainings.schedule import edit_training
from storage.database import Database
from storage.models.trainings import CONFIRMED, OFFERED, WAITING, WITHDRAWN
from tests.conftest import TEST_SECRET_KEY
from tests.handlers.trainings.helpers import (
    NOW,
    Chat,
    Clock,
    Officer,
    add_training,
    enrolments,
    option,
    outbox_rows,
    planner,
    seating,
    signed_up,
    wita,
)

TG = "telegram"
ANI, BUDI, CITRA = "701", "702", "703"


async def _full_training(db: Database, chat: Chat, **changes: object) -> int:
    """Capacity 1: Ani has the seat, Budi and Citra wait (1 and 2). Returns the training id."""
    training = await add_training(db, capacity=1, **changes)
    await signed_up(chat, training.id, ANI, BUDI, CITRA, channel=TG)
    assert [e.status for e in await enrolments(db)] == [CONFIRMED, WAITING, WAITING]
    return training.id


async def _leave(chat: Chat, user: str) -> str:
    replies = await chat.send(user, "menu", channel=TG)
    replies = await chat.send(user, option(replies, "Pelatihan saya"), channel=TG)
    replies = await chat.send(user, "1", channel=TG)
    replies = await chat.send(user, option(replies, "Batalkan"), channel=TG)
    return await chat.send(user, option(replies, "Ya"), channel=TG)


async def test_a_cancelled_seat_is_offered_to_the_first_person_waiting_who_takes_it_with_one_tap(
    db: Database, chat: Chat
) -> None:
    training_id = await _full_training(db, chat)
    kept = await chat.send(ANI, "menu", channel=TG)
    kept = await chat.send(ANI, option(kept, "Pelatihan saya"), channel=TG)
    kept = await chat.send(ANI, "1", channel=TG)
    kept = await chat.send(ANI, option(kept, "Batalkan"), channel=TG)
    assert "Yakin membatalkan?" in kept
    kept = await chat.send(ANI, option(kept, "Tidak"), channel=TG)
    assert "tetap" in kept
    assert await outbox_rows(db, "training.offer") == []

    assert "dibatalkan" in await _leave(chat, ANI)
    [offer] = await outbox_rows(db, "training.offer")
    budi = (await enrolments(db))[1]
    assert offer.user_id == budi.user_id and offer.payload["template"] == "trainings/offer"
    assert [c["id"] for c in offer.payload["choices"]] == [
        f"tr:accept:{training_id}",
        f"tr:decline:{training_id}",
    ]
    assert budi.status == OFFERED and budi.offer_expires_at == NOW + timedelta(hours=24)

    taken = await chat.send(BUDI, choice=f"tr:accept:{training_id}", channel=TG)
    assert "sekarang milik Anda" in taken
    assert [e.status for e in await enrolments(db)] == [WITHDRAWN, CONFIRMED, WAITING]
    again = await chat.send(BUDI, choice=f"tr:accept:{training_id}", channel=TG)
    assert "Tidak ada kursi yang sedang ditawarkan" in again


async def test_a_seat_held_by_an_offer_is_taken_in_the_list_not_free_nor_waiting(
    db: Database, chat: Chat, officer: Officer
) -> None:
    training_id = await _full_training(db, chat)
    await _leave(chat, ANI)  # Budi is offered the seat; Citra waits
    assert [e.status for e in await enrolments(db)] == [WITHDRAWN, OFFERED, WAITING]
    listing = await officer.run("training", "list")
    row = next(line for line in listing.splitlines() if line.startswith(str(training_id)))
    # seats taken/capacity, waiting, status
    assert row.split()[-3:] == ["1/1", "1", "terjadwal"], row
    # The statistics' "antre" is the same one person: trainings, targeted, announced, signed
    # up, waiting, attended, no-shows, rating.
    stats = await officer.run("training", "stats", "--year", str(NOW.year))
    figures = next(line for line in stats.splitlines() if "Sablon kaos" in line)
    assert figures.split()[-8:] == ["1", "0", "0", "3", "1", "0", "0", "-"], figures


async def test_an_offer_that_runs_out_goes_to_the_next_person(
    db: Database, chat: Chat, clock: Clock, agency: AgencyProfile, settings: Settings
) -> None:
    training_id = await _full_training(db, chat)
    await _leave(chat, ANI)
    plan = planner(db, agency, settings)
    await plan.plan(NOW + timedelta(hours=23, minutes=59))
    assert [e.status for e in await enrolments(db)][1:] == [OFFERED, WAITING]

    await plan.plan(NOW + timedelta(hours=24))
    budi, citra = (await enrolments(db))[1:]
    assert (budi.status, budi.ended, citra.status) == (WITHDRAWN, "lapsed", OFFERED)
    assert citra.offer_expires_at == NOW + timedelta(hours=48)
    [lapsed] = await outbox_rows(db, "training.notice")
    assert (lapsed.user_id, lapsed.payload["template"]) == (budi.user_id, "trainings/offer_lapsed")

    clock.now = NOW + timedelta(hours=25)
    late = await chat.send(BUDI, choice=f"tr:accept:{training_id}", channel=TG)
    assert "Tidak ada kursi yang sedang ditawarkan" in late
    assert [e.status for e in await enrolments(db)][1:] == [WITHDRAWN, OFFERED]


async def test_accepting_after_the_time_ran_out_passes_the_seat_on_at_once(
    db: Database, chat: Chat, clock: Clock
) -> None:
    training_id = await _full_training(db, chat)
    await _leave(chat, ANI)
    clock.now = NOW + timedelta(hours=24, minutes=1)  # before the planner's next run
    gone = await chat.send(BUDI, "TERIMA " + str(training_id), channel=TG)
    assert "tawaran kursi di Sablon kaos untuk pemula sudah berakhir" in gone
    assert [e.status for e in await enrolments(db)] == [WITHDRAWN, WITHDRAWN, OFFERED]


async def test_declining_passes_the_seat_to_the_next_person(db: Database, chat: Chat) -> None:
    training_id = await _full_training(db, chat)
    await _leave(chat, ANI)
    declined = await chat.send(BUDI, choice=f"tr:decline:{training_id}", channel=TG)
    assert "orang berikutnya" in declined
    budi, citra = (await enrolments(db))[1:]
    assert (budi.ended, citra.status) == ("declined", OFFERED)


async def test_an_offer_never_runs_past_the_start(db: Database, chat: Chat, clock: Clock) -> None:
    starts = NOW + timedelta(hours=5)
    await _full_training(db, chat, starts_at=starts, ends_at=starts + timedelta(hours=3))
    await _leave(chat, ANI)
    assert (await enrolments(db))[1].offer_expires_at == starts


async def test_a_seat_freed_in_quiet_hours_is_held_from_their_end(
    db: Database, chat: Chat, clock: Clock
) -> None:
    await _full_training(db, chat)
    clock.now = wita(2026, 3, 2, 22, 30)  # quiet hours (21:00-07:00): the offer waits until 07:00
    await _leave(chat, ANI)
    assert (await enrolments(db))[1].offer_expires_at == wita(2026, 3, 3, 7) + timedelta(hours=24)


async def test_training_offer_hours_sets_how_long_a_seat_is_held(
    db: Database, agency: AgencyProfile, clock: Clock, database_url: str, tmp_path: Path
) -> None:
    settings = load_settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET_KEY,
        training_offer_hours=2,
        _env_file=None,
    )
    chat = Chat(db, agency, settings, clock)
    await _full_training(db, chat)
    await _leave(chat, ANI)
    assert (await enrolments(db))[1].offer_expires_at == NOW + timedelta(hours=2)


async def test_more_seats_from_an_edit_go_down_the_waiting_list_in_order(
    db: Database, chat: Chat, agency: AgencyProfile
) -> None:
    training_id = await _full_training(db, chat)
    async with db.transaction() as tx:
        edited = await edit_training(
            tx,
            seating(agency),
            officer="officer:test",
            training_id=training_id,
            changes={"capacity": 3},
            now=NOW,
        )
    assert edited.offered == 2
    assert [e.status for e in await enrolments(db)] == [CONFIRMED, OFFERED, OFFERED]
    assert len(await outbox_rows(db, "training.offer")) == 2


async def test_a_held_seat_can_be_taken_from_pelatihan_saya_too(db: Database, chat: Chat) -> None:
    await _full_training(db, chat)
    await _leave(chat, ANI)
    replies = await chat.send(BUDI, "menu", channel=TG)
    replies = await chat.send(BUDI, option(replies, "Pelatihan saya"), channel=TG)
    assert "ada kursi" in replies
    replies = await chat.send(BUDI, "1", channel=TG)
    assert "Ada kursi untuk Anda sampai Selasa, 3 Maret 2026 10.00 WITA" in replies
    taken = await chat.send(BUDI, option(replies, "Terima kursi"), channel=TG)
    assert "sekarang milik Anda" in taken
    assert [e.status for e in await enrolments(db)] == [WITHDRAWN, CONFIRMED, WAITING]


async def test_a_held_seat_is_answered_from_the_catalogue_too_in_both_languages(
    db: Database, chat: Chat
) -> None:
    await _full_training(db, chat)
    await _leave(chat, ANI)
    replies = await chat.send(BUDI, "menu", channel=TG)
    replies = await chat.send(BUDI, option(replies, "Pelatihan"), channel=TG)
    replies = await chat.send(BUDI, option(replies, "Sablon kaos untuk pemula"), channel=TG)
    assert "Ada kursi untuk Anda sampai Selasa, 3 Maret 2026 10.00 WITA. Terima atau tolak?" in replies
    option(replies, "Terima kursi")
    declined = await chat.send(BUDI, "Tolak", channel=TG)  # the button's words, typed
    assert "kami tawarkan ke orang berikutnya" in declined
    budi, citra = (await enrolments(db))[1:]
    assert (budi.ended, citra.status) == ("declined", OFFERED)

    replies = await chat.send(CITRA, "menu", channel=TG)
    replies = await chat.send(CITRA, option(replies, "Ganti bahasa"), channel=TG)
    replies = await chat.send(CITRA, option(replies, "English"), channel=TG)
    replies = await chat.send(CITRA, option(replies, "Trainings"), channel=TG)
    replies = await chat.send(CITRA, option(replies, "Sablon kaos untuk pemula"), channel=TG)
    assert "A seat is held for you until" in replies and "Accept or decline?" in replies
    option(replies, "Decline")
    taken = await chat.send(CITRA, option(replies, "Accept the seat"), channel=TG)
    assert "The seat at Sablon kaos untuk pemula is yours" in taken
    assert [e.status for e in await enrolments(db)] == [WITHDRAWN, WITHDRAWN, CONFIRMED]
