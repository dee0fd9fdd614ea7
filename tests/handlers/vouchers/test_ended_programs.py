"""A program closed or paused after its vouchers were issued: the owner's *Voucher saya* says of
each voucher what the courier's counter would do with it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.channels.console import ConsoleChannel
from handlers.vouchers import codes
from handlers.vouchers.programs import close, pause, resume
from handlers.vouchers.redeeming import RedeemRefusal, Refused, Valid, check
from storage.models import Voucher
from tests.handlers.update_round.test_update_round import choose
from tests.handlers.vouchers.helpers import program, register


async def _issued(app: App, chat: ConsoleChannel) -> str:
    """Ask for a voucher by chat; its code as the owner reads it."""
    issued = await chat.send(choose(await chat.send("menu"), "Voucher gratis ongkir"))
    async with app.db.snapshot() as tx:
        code = codes.display((await tx.session.execute(select(Voucher.code))).scalar_one())
    assert code in issued[0]
    return code


async def _mine(chat: ConsoleChannel) -> list[str]:
    return await chat.send(choose(await chat.send("menu"), "Voucher saya"))


async def _counter(app: App, code: str) -> Valid | Refused:
    """What the courier's counter answers for the code (the chat's and the scan page's check)."""
    async with app.db.transaction() as tx:
        return await check(tx, code, courier=None, actor="test", now=datetime.now(UTC))


async def test_a_closed_programs_voucher_is_no_longer_usable_and_has_no_qr(app: App) -> None:
    chat = await register(app, "ani")
    chosen = await program(app, name="P2")
    code = await _issued(app, chat)
    before = await _mine(chat)
    assert "Aktif" in before[-1] and f"QR {code}" in before[-1]
    async with app.db.transaction() as tx:
        await close(tx, chosen.id, officer="o", now=datetime.now(UTC))
    # The QR button of the list read before the close shows the list again, not the dead code's QR.
    pressed = await chat.send(choose(before, f"QR {code}"))
    assert not any(f"voucher-{code}.png" in r for r in pressed)
    for shown in (pressed[-1], (await _mine(chat))[-1]):
        assert "Aktif" not in shown and "QR" not in shown
        assert f"Tidak bisa dipakai lagi:\n• {code} (program P2 sudah berakhir)" in shown
    refused = await _counter(app, code)
    assert isinstance(refused, Refused) and refused.reason is RedeemRefusal.CLOSED


async def test_a_paused_programs_voucher_stays_usable_as_the_counter_redeems_it(app: App) -> None:
    chat = await register(app, "ani")
    chosen = await program(app, name="P2")
    code = await _issued(app, chat)
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
    code = await _issued(app, chat)
    now = datetime.now(UTC)
    async with app.db.transaction() as tx:
        await pause(tx, chosen.id, reason="Kuota dialihkan", void_issued=True, officer="o", now=now)
        await resume(tx, chosen.id, officer="o", now=now)  # voided vouchers stay voided
    shown = (await _mine(chat))[-1]
    assert "Aktif" not in shown and "QR" not in shown
    assert f"Tidak bisa dipakai lagi:\n• {code} (dibatalkan: Kuota dialihkan)" in shown
    refused = await _counter(app, code)
    assert isinstance(refused, Refused) and refused.reason is RedeemRefusal.VOIDED
