"""A program closed or paused after its vouchers were issued: the owner's *Voucher saya* says of
each voucher what the courier's counter would do with it."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.console import ConsoleChannel
from handlers.payload import reply_from_payload
from handlers.vouchers import codes
from handlers.vouchers.planner import ExpiryPlanner
from handlers.vouchers.programs import close, pause, resume
from handlers.vouchers.redeeming import RedeemRefusal, Refused, Valid, check
from handlers.vouchers.states import VoucherState, voucher_state
from messages import to_plain
from storage.models import ChannelIdentity, OutboxMessage, Voucher
from storage.models.outbox import CANCELLED, PENDING
from tests.handlers.update_round.test_update_round import choose
from tests.handlers.vouchers.helpers import program, redeem_at_counter, register

CODE = re.compile(r"ONG-[0-9A-Z]{5}-[0-9A-Z]{5}")


async def _issued(chat: ConsoleChannel) -> str:
    """Ask for a voucher by chat; its code as the owner reads it."""
    issued = await chat.send(choose(await chat.send("menu"), "Voucher gratis ongkir"))
    found = CODE.search(issued[0])
    assert found is not None, issued
    return found.group(0)


async def _mine(chat: ConsoleChannel) -> list[str]:
    return await chat.send(choose(await chat.send("menu"), "Voucher saya"))


async def _counter(app: App, code: str) -> Valid | Refused:
    """What the courier's counter answers for the code (the chat's and the scan page's check)."""
    async with app.db.transaction() as tx:
        return await check(tx, code, courier=None, actor="test", now=datetime.now(UTC))


async def test_a_closed_programs_voucher_is_no_longer_usable_and_has_no_qr(app: App) -> None:
    chat = await register(app, "ani")
    chosen = await program(app, name="P2")
    code = await _issued(chat)
    before = await _mine(chat)
    assert "Aktif" in before[-1] and f"QR {code}" in before[-1]
    async with app.db.transaction() as tx:
        await close(tx, chosen.id, officer="o", now=datetime.now(UTC))
    # The QR button of the list read before the close shows the list again, not the dead code's QR.
    pressed = await chat.send(choose(before, f"QR {code}"))
    assert not any(f"voucher-{code}.png" in r for r in pressed)
    for shown in (pressed[-1], (await _mine(chat))[-1]):
        assert "Aktif" not in shown and f"QR {code}" not in shown  # a code may hold "QR" itself
        assert f"Tidak bisa dipakai lagi:\n• {code} (program P2 sudah berakhir)" in shown
    refused = await _counter(app, code)
    assert isinstance(refused, Refused) and refused.reason is RedeemRefusal.CLOSED


async def test_a_paused_programs_voucher_stays_usable_as_the_counter_redeems_it(app: App) -> None:
    chat = await register(app, "ani")
    chosen = await program(app, name="P2")
    code = await _issued(chat)
    async with app.db.transaction() as tx:
        await pause(
            tx, chosen.id, reason="Pembaruan data", void_issued=False, officer="o", now=datetime.now(UTC)
        )
    mine = await _mine(chat)
    assert f"Aktif:\n• {code} (P2), berlaku sampai" in mine[-1]
    assert "program ini sedang dihentikan sementara, tetapi voucher ini tetap bisa dipakai" in mine[-1]
    assert f"voucher-{code}.png" in (await chat.send(choose(mine, f"QR {code}")))[0]
    assert isinstance(await _counter(app, code), Valid)


async def test_vouchers_voided_by_a_pause_say_the_officers_reason(app: App) -> None:
    chat = await register(app, "ani")
    chosen = await program(app, name="P2")
    code = await _issued(chat)
    now = datetime.now(UTC)
    async with app.db.transaction() as tx:
        await pause(tx, chosen.id, reason="Kuota dialihkan", void_issued=True, officer="o", now=now)
        await resume(tx, chosen.id, officer="o", now=now)  # voided vouchers stay voided
    shown = (await _mine(chat))[-1]
    assert "Aktif" not in shown and f"QR {code}" not in shown
    assert f"Tidak bisa dipakai lagi:\n• {code} (dibatalkan: Kuota dialihkan)" in shown
    refused = await _counter(app, code)
    assert isinstance(refused, Refused) and refused.reason is RedeemRefusal.VOIDED


async def _notices(app: App) -> list[OutboxMessage]:
    """The notices queued to holders whose vouchers died (`voucher.ended`), oldest first."""
    async with app.db.snapshot() as tx:
        query = select(OutboxMessage).where(OutboxMessage.kind == "voucher.ended").order_by(OutboxMessage.id)
        return list((await tx.session.execute(query)).scalars())


async def _user_id(app: App, external_id: str) -> int | None:
    async with app.db.snapshot() as tx:
        return await tx.session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == external_id)
        )


def _text(app: App, row: OutboxMessage) -> str:
    """The notice as its recipient reads it (in Indonesian)."""
    return to_plain(app.renderer.render_reply(reply_from_payload(row.payload), "id").text)


async def test_closing_tells_each_holder_of_an_unused_voucher_once(app: App) -> None:
    chosen = await program(app, name="P2", per_owner=2)
    holder = await register(app, "7001", channel="telegram")  # two unused vouchers: told once
    user = await register(app, "7002", nik="6372021203850001", channel="telegram")  # used hers
    late = await register(app, "6281200000003", nik="6372024506900002", channel="whatsapp")  # expired
    await _issued(holder)
    await _issued(holder)
    await redeem_at_counter(app.db, await _issued(user))
    expired = await _issued(late)
    now = datetime.now(UTC)
    async with app.db.transaction() as tx:
        await tx.session.execute(
            update(Voucher).where(Voucher.code == codes.read_code(expired).code).values(expires_at=now)
        )
        _program, told = await close(tx, chosen.id, officer="o", now=now)
    holder_id = await _user_id(app, "7001")
    assert told == 1
    [row] = await _notices(app)
    assert (row.channel, row.user_id, row.dedupe_key) == (
        "telegram",
        holder_id,
        f"voucher-program:{chosen.id}:closed:user:{holder_id}",
    )
    text = _text(app, row)
    assert "Program gratis ongkir P2 sudah berakhir" in text and "tidak bisa ditukar lagi" in text


async def test_a_pause_tells_only_the_holders_whose_vouchers_it_voids(app: App) -> None:
    chosen = await program(app, name="P2")
    holder = await register(app, "7001", channel="telegram")
    user = await register(app, "7002", nik="6372021203850001", channel="telegram")
    await _issued(holder)
    await redeem_at_counter(app.db, await _issued(user))
    now = datetime.now(UTC)
    async with app.db.transaction() as tx:
        # Their vouchers stay valid (the counters redeem them): nobody is told.
        await pause(tx, chosen.id, reason="Pembaruan data", void_issued=False, officer="o", now=now)
        await resume(tx, chosen.id, officer="o", now=now)
    assert await _notices(app) == []
    later = now + timedelta(minutes=1)
    async with app.db.transaction() as tx:
        await pause(tx, chosen.id, reason="Kuota dialihkan.", void_issued=True, officer="o", now=later)
    holder_id = await _user_id(app, "7001")
    [row] = await _notices(app)
    assert (row.user_id, row.dedupe_key) == (
        holder_id,
        f"voucher-program:{chosen.id}:voided:{later.isoformat()}:user:{holder_id}",
    )
    text = _text(app, row)
    assert "program P2 yang belum dipakai dibatalkan" in text and "Alasan: Kuota dialihkan." in text


@pytest.mark.parametrize("ending", ["close", "void"])
async def test_an_expiry_reminder_still_waiting_is_dropped_when_the_voucher_dies(
    app: App, ending: str
) -> None:
    chosen = await program(app, name="P2", valid_days=30)
    await _issued(await register(app, "7001", channel="telegram"))
    async with app.db.snapshot() as tx:
        expires_at = await tx.session.scalar(select(Voucher.expires_at))
    assert expires_at is not None
    now = expires_at - timedelta(days=2)  # reminded; the reminder waits out the quiet hours, say
    assert await ExpiryPlanner(app.db, app.agency).plan(now) == 1
    async with app.db.transaction() as tx:
        if ending == "close":
            await close(tx, chosen.id, officer="o", now=now)
        else:
            await pause(tx, chosen.id, reason="Kuota dialihkan.", void_issued=True, officer="o", now=now)
        rows = await tx.session.execute(select(OutboxMessage.kind, OutboxMessage.status))
    assert sorted((kind, status) for kind, status in rows) == [
        ("voucher.ended", PENDING),
        ("voucher.expiring", CANCELLED),
    ]


async def test_a_voucher_expired_before_the_close_stays_expired_and_one_valid_then_stays_ended(
    app: App,
) -> None:
    ani, budi = await register(app, "ani"), await register(app, "budi", nik="6372021203850001")
    chosen = await program(app, name="P2")
    expired_code, ended_code = await _issued(ani), await _issued(budi)
    closing = datetime.now(UTC)
    async with app.db.transaction() as tx:
        await tx.session.execute(
            update(Voucher)
            .where(Voucher.code == codes.read_code(expired_code).code)
            .values(expires_at=closing - timedelta(days=3))
        )
    async with app.db.transaction() as tx:
        await close(tx, chosen.id, officer="o", now=closing)
    # A year on, Budi's voucher too is past its last day: it still ended with the program.
    later = closing + timedelta(days=365)
    async with app.db.snapshot() as tx:
        counts = await tx.vouchers.counts(chosen.id, later)
        states = {
            code: voucher_state(view.voucher, view.program, later)
            for code in (expired_code, ended_code)
            if (view := await tx.vouchers.view(codes.read_code(code).code)) is not None
        }
    assert (counts["expired"], counts["ended"], counts["active"]) == (1, 1, 0), counts
    assert states == {expired_code: VoucherState.EXPIRED, ended_code: VoucherState.ENDED}
    assert "sudah berakhir" not in (await _mine(ani))[-1]


@pytest.mark.postgresql
async def test_a_reminder_planned_while_the_program_closes_is_not_queued(app: App) -> None:
    """PostgreSQL runs the planner beside a close: the planner waits for the closing transaction
    and reads the program closed, where it read it open before that commit and queued a reminder
    for a dead voucher (SQLite's one writer never lets the two overlap)."""
    chosen = await program(app, name="P2", valid_days=30)
    await _issued(await register(app, "7001", channel="telegram"))
    async with app.db.snapshot() as tx:
        expires_at = await tx.session.scalar(select(Voucher.expires_at))
    assert expires_at is not None
    now = expires_at - timedelta(days=2)
    async with app.db.transaction() as tx:
        await close(tx, chosen.id, officer="o", now=now)
        await tx.session.flush()
        planning = asyncio.create_task(ExpiryPlanner(app.db, app.agency).plan(now))
        await asyncio.sleep(0.5)
        assert not planning.done()  # waiting for the close to commit
    assert await planning == 0
    async with app.db.snapshot() as tx:
        kinds = list(await tx.session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["voucher.ended"]
