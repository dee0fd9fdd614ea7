"""Hapus data: the person leaves the trainings' personal lists (name, number, links, comments);
their attendance and rating stay as anonymous counts, and a seat they held goes to the next
person waiting."""

from __future__ import annotations

from datetime import timedelta

from storage.models.outbox import CANCELLED
from storage.models.trainings import OFFERED, WITHDRAWN
from tests.handlers.trainings.helpers import (
    NOW,
    STARTS,
    Scene,
    add_training,
    enrolments,
    option,
    outbox_rows,
    register_owner,
)

TG = "telegram"


async def test_hapus_data_removes_the_person_and_keeps_the_counts(scene: Scene) -> None:
    db, chat, clock, officer = scene.db, scene.chat, scene.clock, scene.officer
    past = await add_training(db, title="Kue kering lebaran", topic="kue", starts_at=NOW + timedelta(days=1),
                              ends_at=NOW + timedelta(days=1, hours=5))  # fmt: skip
    coming = await add_training(db, capacity=1)
    siti = await register_owner(db, "701", 1, channel=TG, name="Siti Aminah")
    await register_owner(db, "702", 2, channel=TG)
    await chat.send("701", f"daftar {past.id}", channel=TG)
    clock.now = past.starts_at
    await officer.run("training", "checkin", str(past.id), "BJB-2026-000001")
    clock.now = past.ends_at + timedelta(hours=1)
    await scene.planner().plan(clock.now)  # the certificate is numbered and queued
    await chat.press("701", f"tr:rate:{past.id}:4", channel=TG)
    await chat.send("701", "Resepnya enak, Bu Siti dari Jl. Melati", channel=TG)
    for user in ("701", "702"):
        await chat.send(user, f"daftar {coming.id}", channel=TG)
    await scene.planner().plan(STARTS - timedelta(days=1, hours=-1))  # Siti's day-before reminder is queued

    replies = await chat.send("701", "menu", channel=TG)
    replies = await chat.send("701", option(replies, "Hapus data"), channel=TG)
    replies = await chat.send("701", option(replies, "Ya"), channel=TG)
    assert "dihapus" in replies

    attended, held, waited = await enrolments(db)
    for erased in (attended, held):
        assert (erased.user_id, erased.owner_id, erased.full_name, erased.phone, erased.comment, erased.certificate_no) == (
            None, None, None, None, None, None,
        )  # fmt: skip
    assert (attended.attended_at, attended.rating, attended.district_code) == (past.starts_at, 4, "63.72.05")
    assert (held.status, held.ended) == (WITHDRAWN, "by_person")
    assert {r.status for r in await outbox_rows(db, user_id=siti) if r.kind != "training.feedback"} <= {
        CANCELLED,
        "sent",
    }
    assert all(r.status == CANCELLED for r in await outbox_rows(db, "training.reminder", siti))
    assert siti not in {e.user_id for e in await enrolments(db)}

    await scene.planner().plan(clock.now + timedelta(minutes=5))
    assert (await enrolments(db))[2].status == OFFERED, "the freed seat goes to the person waiting"
    report = await officer.run("training", "stats", "--year", "2026")
    assert "1 kehadiran, 1 orang berbeda" in report
    assert waited.user_id is not None
