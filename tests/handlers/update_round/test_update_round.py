"""A data-update round end to end: the officer opens it, owners answer by chat, reminders, the report."""

from __future__ import annotations

import argparse
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.settings import Settings
from handlers.agency import AgencyProfile
from handlers.types import Incoming
from handlers.update_round import UpdateRoundPlanner, open_round
from handlers.update_round.commands import run_stats
from handlers.update_round.planner import due_reminder
from messages import to_plain
from storage.database import Database
from storage.models import Business, OutboxMessage, Owner, UpdateAnswer, UpdateRound
from storage.models.outbox import CANCELLED, PENDING
from tests.bot.outbox.seed import seed_owners, user_id_of

DISTRICT, VILLAGE = "63.72.05", "63.72.05.1004"


async def register_console_user(db: Database, user: str, nik: str) -> int:
    async with db.transaction() as tx:
        account, _ = await tx.users.find_or_create("console", user)
        owner = Owner(
            user_id=account.id,
            full_name="Siti Aminah",
            nik_ciphertext=tx.cipher.encrypt(nik),
            nik_index=tx.cipher.blind_index(nik),
            phone="+6281234567890",
            reg_no=f"BJB-2026-{account.id:06d}",
        )
        tx.session.add(owner)
        await tx.session.flush()
        tx.session.add(
            Business(
                owner_id=owner.id,
                name="Sasirangan Siti",
                sector="fesyen",
                district_code=DISTRICT,
                village_code=VILLAGE,
                street="Jl. Mistar Cokrokusumo 12",
                year_started=2019,
                workers=2,
                annual_sales=90_000_000,
                capital=20_000_000,
                size_class="micro",
                nib="1234567890123",
            )
        )
        return account.id


async def open_round_now(db: Database) -> UpdateRound:
    """A round opened now, its deadline in ten days."""
    async with db.transaction() as tx:
        round_row, _ = await open_round(
            tx,
            officer="officer:test",
            deadline=date.today() + timedelta(days=10),
            note=None,
            now=datetime.now(UTC),
        )
    return round_row


def choose(replies: list[str], label: str) -> str:
    """The number of the offered choice whose label contains `label`."""
    for line in replies[-1].splitlines():
        stripped = line.strip()
        if label in stripped and stripped[:1].isdigit():
            return stripped.split(".", 1)[0]
    raise AssertionError(f"{label!r} not offered in: {replies[-1]}")


async def test_owners_answer_by_chat_and_the_report_counts_them(
    app: App, db: Database, console: ConsoleChannel, settings: Settings
) -> None:
    await register_console_user(db, "tester", "6372054107900001")
    round_row = await open_round_now(db)

    replies = await console.send("menu")
    replies = await console.send(choose(replies, "Perbarui data"))
    assert "masih berjalan" in replies[-1]
    replies = await console.send(choose(replies, "Masih berjalan"))
    summary = replies[-1]
    assert (
        "Jl. Mistar Cokrokusumo 12" in summary
        and "Banjarbaru Selatan" in summary
        and "1234567890123" in summary
    )
    replies = await console.send(choose(replies, "Ubah"))
    replies = await console.send(choose(replies, "Tenaga kerja"))
    replies = await console.send("5 orang")
    assert "5 orang" in replies[-1]
    replies = await console.send(choose(replies, "Simpan"))
    assert any("aktif" in r for r in replies)

    closed = ConsoleChannel(app.router, app.renderer, "second")
    await register_console_user(db, "second", "6372054107900002")
    replies = await closed.send("menu")
    replies = await closed.send(choose(replies, "Perbarui data"))
    replies = await closed.send(choose(replies, "Sudah tutup"))
    replies = await closed.send("Pindah ke Kalimantan Timur")
    assert "Pindah ke Kalimantan Timur" in replies[-1]
    replies = await closed.send(choose(replies, "Simpan"))
    assert any("tidak aktif" in r for r in replies)

    async with db.transaction() as tx:
        answers = (await tx.session.execute(select(UpdateAnswer).order_by(UpdateAnswer.id))).scalars().all()
        statuses = (
            await tx.session.execute(select(Business.status, Business.workers).order_by(Business.id))
        ).all()
    assert [(a.outcome, a.reason) for a in answers] == [
        ("active", None),
        ("closed", "Pindah ke Kalimantan Timur"),
    ]
    assert [tuple(s) for s in statuses] == [("active", 5), ("inactive", 2)]

    out = io.StringIO()
    await run_stats(argparse.Namespace(round=round_row.id), app.officer_context(out=out))
    report = out.getvalue()
    assert "1 aktif, 1 tidak aktif, 0 tidak merespons" in report
    assert "63.72.05 Banjarbaru Selatan" in report and "Mikro" in report
    # The table's columns say what the summary says: the owner who answered "Sudah tutup" is
    # recorded "tidak aktif" (an officer's "Tutup" is another status, for good).
    header = next(line for line in report.splitlines() if line.startswith("Kecamatan"))
    assert header.split()[1:] == [
        "aktif",
        "tidak",
        "aktif",
        "tidak",
        "merespons",
        "belum",
        "menjawab",
        "jumlah",
    ]
    assert "tutup" not in report
    row = next(line for line in report.splitlines() if line.startswith("63.72.05"))
    assert len(row) == len(header)  # right-aligned under their headers, however long the words
    out = io.StringIO()
    await run_stats(
        argparse.Namespace(round=round_row.id), replace(app.officer_context(out=out), locale="en")
    )
    assert "1 active, 1 inactive, 0 no response" in out.getvalue()


async def test_berhenti_at_still_running_answers_closed_and_stops_nothing(
    app: App, db: Database, console: ConsoleChannel
) -> None:
    """ "Berhenti" (it stopped) is the natural answer to "is your business still running?", and
    also the global word that stops every message: at that question it answers. Elsewhere it
    still stops; other everyday words answer too, in each language."""
    user_id = await register_console_user(db, "tester", "6372054107900001")
    await open_round_now(db)
    replies = await console.send("menu")
    replies = await console.send(choose(replies, "Perbarui data"))
    replies = await console.send("berhenti")
    assert "alasan" in replies[-1].lower(), "closed: the question after it asks why"
    async with db.transaction() as tx:
        user = await tx.users.get(user_id)
        assert user is not None and not user.opted_out
    replies = await console.send("kembali")
    replies = await console.send("Ya")
    assert "Jl. Mistar Cokrokusumo 12" in replies[-1], "yes: still running, on to the summary"
    await console.send("menu")
    await console.send("berhenti")  # outside that question: the global word
    async with db.transaction() as tx:
        user = await tx.users.get(user_id)
        assert user is not None and user.opted_out


async def say(app: App, chat: str, text: str) -> str:
    """`text` from the owner of Telegram chat `chat`, through the router: what they read back."""
    response = await app.router.handle(Incoming(channel="telegram", external_user_id=chat, text=text))
    return "\n".join(to_plain(app.renderer.render_reply(r, response.locale).text) for r in response.replies)


async def outbox_statuses(db: Database, user_id: int) -> set[str]:
    async with db.transaction() as tx:
        rows = await tx.session.execute(select(OutboxMessage.status).where(OutboxMessage.user_id == user_id))
        return set(rows.scalars())


async def test_reminders_go_to_non_responders_once_and_the_deadline_closes_the_round(
    app: App, db: Database, agency: AgencyProfile
) -> None:
    zone = agency.time_zone
    deadline = date(2026, 3, 31)
    chats = await seed_owners(db, 4)
    opened = datetime(2026, 3, 1, 1, tzinfo=UTC)
    async with db.transaction() as tx:
        round_row, invited = await open_round(
            tx, officer="officer:test", deadline=deadline, note="Cek", now=opened
        )
    assert invited == 4
    planner = UpdateRoundPlanner(db, agency)
    assert await planner.plan(opened) == 0  # no reminder is due yet

    # The bot was down over the h-7 and h-3 reminders: it sends only the latest one (h-3), once.
    back = datetime(2026, 3, 29, 3, tzinfo=UTC)  # 11:00 WITA, after h-3 (28 March 09:00)
    assert due_reminder(deadline, zone, back) == 3
    assert await planner.plan(back) == 4
    assert await planner.plan(back + timedelta(minutes=5)) == 0

    # One owner answers by chat: their pending invitation and reminder are cancelled, they get no more.
    for text in ("menu", "Perbarui data", "Sudah tutup", "Pindah ke Kalimantan Timur"):
        await say(app, chats[0], text)
    assert "tidak aktif" in await say(app, chats[0], "Simpan")
    answered, waiting = await user_id_of(db, "telegram", chats[0]), await user_id_of(db, "telegram", chats[1])
    assert await outbox_statuses(db, answered) == {CANCELLED}
    assert await outbox_statuses(db, waiting) == {PENDING}
    h1 = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)  # 09:30 WITA on 30 March
    assert await planner.plan(h1) == 3
    assert await outbox_statuses(db, answered) == {CANCELLED}

    after = datetime(2026, 3, 31, 16, 1, tzinfo=UTC)  # 00:01 WITA on 1 April
    assert await planner.plan(after) == 0
    async with db.transaction() as tx:
        outcomes = (await tx.session.execute(select(UpdateAnswer.outcome))).scalars().all()
        assert sorted(outcomes) == ["closed", "no_response", "no_response", "no_response"]
        statuses = sorted((await tx.session.execute(select(Business.status))).scalars().all())
        assert statuses == ["inactive", "unknown", "unknown", "unknown"]
        counts = await tx.outbox.status_counts()
        assert counts == {CANCELLED: 4 + 4 + 3}  # nothing was sent here: invites, h-3 and h-1 all end
        assert (await tx.update_rounds.get(round_row.id)).closed_at is not None  # type: ignore[union-attr]


async def test_back_from_the_summary_returns_to_the_question_asked_not_a_prefilled_one(
    db: Database, console: ConsoleChannel
) -> None:
    await register_console_user(db, "tester", "6372054107900001")
    await open_round_now(db)
    replies = await console.send("menu")
    replies = await console.send(choose(replies, "Perbarui data"))
    asked = replies[-1]
    replies = await console.send(choose(replies, "Masih berjalan"))
    summary = replies[-1]
    assert "Periksa data Anda" in summary

    replies = await console.send("kembali")  # the only question asked: the NIB was prefilled
    assert replies[-1] == asked
    replies = await console.send(choose(replies, "Masih berjalan"))
    assert replies[-1] == summary
