"""Reminders: the day before at 09:00 agency time and two hours before the start, with the place;
someone who signs up after a reminder's time gets only the ones still ahead; a cancelled or moved
training cancels or re-plans what is pending. The planner runs at the times the test chooses."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from handlers.agency import AgencyProfile
from handlers.payload import reply_from_payload
from handlers.trainings.schedule import cancel_training, edit_training
from messages import Renderer, to_plain
from storage.database import Database
from storage.models.outbox import CANCELLED, PENDING
from tests.handlers.trainings.helpers import (
    Chat,
    Clock,
    add_training,
    outbox_rows,
    planner,
    register_owner,
    seating,
    signed_up,
    wita,
)

TG = "telegram"
DAY_BEFORE = wita(2026, 3, 13, 9)  # the training starts Saturday 14 March at 09:00 WITA
TWO_HOURS = wita(2026, 3, 14, 7)


async def _reminded(db: Database) -> list[tuple[int | None, str]]:
    """(user, slot) of every reminder queued, in order."""
    return [(r.user_id, r.payload["values"]["slot"]) for r in await outbox_rows(db, "training.reminder")]


async def test_each_participant_gets_the_reminders_still_ahead_once(
    db: Database, chat: Chat, clock: Clock, agency: AgencyProfile, settings: Settings
) -> None:
    training = await add_training(db, capacity=5)
    ani, budi, citra = [
        await register_owner(db, u, n, channel=TG) for n, u in enumerate(("701", "702", "703"), 1)
    ]
    await chat.send("701", f"daftar {training.id}", channel=TG)
    plan = planner(db, agency, settings)

    assert await plan.plan(DAY_BEFORE - timedelta(minutes=1)) == 0
    assert await plan.plan(DAY_BEFORE) == 1
    assert await plan.plan(DAY_BEFORE + timedelta(minutes=5)) == 0, "never twice"
    clock.now = DAY_BEFORE + timedelta(hours=1)
    await chat.send("702", f"daftar {training.id}", channel=TG)  # after the day-before reminder's time
    assert await plan.plan(clock.now + timedelta(minutes=5)) == 0, "no stale reminder for Budi"
    assert await plan.plan(TWO_HOURS) == 2
    clock.now = TWO_HOURS + timedelta(minutes=30)
    await chat.send("703", f"daftar {training.id}", channel=TG)
    assert await plan.plan(clock.now + timedelta(minutes=5)) == 0
    assert await plan.plan(training.starts_at) == 0, "none from the start on"
    assert await _reminded(db) == [(ani, "1d"), (ani, "2h"), (budi, "2h")]
    assert citra not in {user for user, _ in await _reminded(db)}

    renderer = Renderer(agency.time_zone, agency.template_values())
    first = (await outbox_rows(db, "training.reminder"))[0]
    text = to_plain(renderer.render_reply(reply_from_payload(first.payload), "id").text)
    assert (
        "besok Sablon kaos untuk pemula" in text
        and "Aula Diskopumnaker, Kecamatan Banjarbaru Selatan" in text
    )
    assert "Sabtu, 14 Maret 2026, 09.00 – 16.00 WITA" in text


async def test_a_bot_that_was_down_sends_only_the_latest_reminder(
    db: Database, chat: Chat, agency: AgencyProfile, settings: Settings
) -> None:
    training = await add_training(db)
    [user] = await signed_up(chat, training.id, "701", channel=TG)
    assert await planner(db, agency, settings).plan(TWO_HOURS + timedelta(minutes=20)) == 1
    assert await _reminded(db) == [(user, "2h")]


async def test_leaving_cancels_the_pending_reminder(
    db: Database, chat: Chat, clock: Clock, agency: AgencyProfile, settings: Settings
) -> None:
    training = await add_training(db)
    [user] = await signed_up(chat, training.id, "701", channel=TG)
    await planner(db, agency, settings).plan(DAY_BEFORE)
    clock.now = DAY_BEFORE + timedelta(minutes=1)
    replies = await chat.send("701", "menu", channel=TG)
    for answer in ("Pelatihan saya", "1", "Batalkan pendaftaran", "Ya"):
        replies = await chat.send("701", answer, channel=TG)
    assert "dibatalkan" in replies
    assert [r.status for r in await outbox_rows(db, "training.reminder", user)] == [CANCELLED]


async def test_a_cancelled_training_cancels_its_reminders_and_tells_everyone(
    db: Database, chat: Chat, agency: AgencyProfile, settings: Settings
) -> None:
    training = await add_training(db, capacity=1)
    seated, waiting = await signed_up(chat, training.id, "701", "702", channel=TG)
    plan = planner(db, agency, settings)
    await plan.plan(DAY_BEFORE)
    async with db.transaction() as tx:
        _, told = await cancel_training(
            tx,
            seating(agency),
            officer="officer:test",
            training_id=training.id,
            reason="Narasumber sakit",
            now=DAY_BEFORE,
        )
    assert told == 2
    assert [r.status for r in await outbox_rows(db, "training.reminder")] == [CANCELLED]
    notices = await outbox_rows(db, "training.notice")
    assert {(n.user_id, n.payload["template"], n.payload["values"]["reason"]) for n in notices} == {
        (seated, "trainings/cancelled", "Narasumber sakit"),
        (waiting, "trainings/cancelled", "Narasumber sakit"),
    }
    assert await plan.plan(TWO_HOURS) == 0


async def test_a_moved_training_re_plans_its_reminders_and_tells_its_participants(
    db: Database, chat: Chat, agency: AgencyProfile, settings: Settings
) -> None:
    training = await add_training(db)
    [user] = await signed_up(chat, training.id, "701", channel=TG)
    plan = planner(db, agency, settings)
    assert await plan.plan(DAY_BEFORE) == 1
    week_later = {
        "starts_at": training.starts_at + timedelta(days=7),
        "ends_at": training.ends_at + timedelta(days=7),
    }
    async with db.transaction() as tx:
        edited = await edit_training(
            tx,
            seating(agency),
            officer="officer:test",
            training_id=training.id,
            changes=week_later,
            now=DAY_BEFORE,
        )
    assert edited.moved and edited.notified == 1
    [changed] = await outbox_rows(db, "training.notice")
    assert (changed.user_id, changed.payload["template"]) == (user, "trainings/changed")
    assert [r.status for r in await outbox_rows(db, "training.reminder")] == [CANCELLED]
    assert await plan.plan(TWO_HOURS) == 0, "the old time's reminders are gone"
    assert await plan.plan(DAY_BEFORE + timedelta(days=7)) == 1
    assert await plan.plan(TWO_HOURS + timedelta(days=7)) == 1
    statuses = [(r.payload["values"]["slot"], r.status) for r in await outbox_rows(db, "training.reminder")]
    assert statuses == [("1d", CANCELLED), ("1d", PENDING), ("2h", PENDING)]
