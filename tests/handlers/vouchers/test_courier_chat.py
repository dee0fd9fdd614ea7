"""The courier counter by chat: link with KURIR <code>, then redeem what owners hand over, once."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.channels.console import ConsoleChannel
from handlers.types import utcnow
from handlers.vouchers import codes
from handlers.vouchers.programs import remove_courier
from storage.models import AuditEntry, RedeemAttempt, Voucher
from tests.handlers.update_round.test_update_round import choose
from tests.handlers.vouchers.helpers import COURIER, courier_code, program, register


async def _owner_with_voucher(app: App, **options: object) -> str:
    owner = await register(app, "ani")
    await program(app, **options)
    await owner.send(choose(await owner.send("menu"), "Voucher gratis ongkir"))
    async with app.db.transaction() as tx:
        return str((await tx.session.execute(select(Voucher.code))).scalar_one())


async def _counter(app: App, user: str = "loket") -> ConsoleChannel:
    counter = ConsoleChannel(app.router, app.renderer, user)
    replies = await counter.send(f"kurir  {(await courier_code(app)).lower()}")
    assert "penukaran voucher untuk *JNE Banjarbaru*".replace("*", "") in replies[0]
    choose(replies, "Tukar voucher")  # the menu under the answer offers it at once
    return counter


async def test_a_linked_counter_redeems_a_typed_code_once_with_a_receipt(app: App) -> None:
    code = await _owner_with_voucher(app, max_ongkir=25_000)
    counter = await _counter(app)
    replies = await counter.send(choose(await counter.send("menu"), "Tukar voucher"))
    assert "kode voucher" in replies[-1]
    typed = f"ong {code[:5].lower()} {code[5:].lower()}"  # any case, spaces instead of dashes
    replies = await counter.send(typed)
    assert "Siti, Warung Bu Tini" in replies[-1] and "Aminah" not in replies[-1]  # the first name only
    replies = await counter.send("jne 0012 3456")
    replies = await counter.send("18rb")
    assert "Rp18.000" in replies[-1] and "Simpan" in replies[-1]
    replies = await counter.send(choose(replies, "Simpan"))
    assert f"Voucher {codes.display(code)} ditukar: resi JNE00123456, ongkir Rp18.000" in replies[0]
    async with app.db.transaction() as tx:
        voucher = (await tx.session.execute(select(Voucher))).scalar_one()
        actions = (await tx.session.execute(select(AuditEntry.action))).scalars().all()
    assert voucher.redeemed_at is not None and (voucher.resi, voucher.ongkir, voucher.paid) == (
        "JNE00123456",
        18_000,
        18_000,
    )
    assert "voucher.redeemed" in actions and "courier.staff_linked" in actions

    replies = await counter.send(choose(await counter.send("menu"), "Tukar voucher"))
    replies = await counter.send(codes.display(code))
    assert "sudah dipakai" in replies[0] and "JNE00123456" in replies[0]


async def test_above_the_max_the_owner_pays_the_rest_or_nothing_is_redeemed(app: App) -> None:
    code = await _owner_with_voucher(app, max_ongkir=25_000)
    counter = await _counter(app)
    await counter.send(choose(await counter.send("menu"), "Tukar voucher"))
    await counter.send(codes.display(code))
    await counter.send("JNE77777777")
    replies = await counter.send("Rp 40.000")
    assert "melebihi batas program (Rp25.000)" in replies[-1]
    replies = await counter.send(choose(replies, "Tidak"))
    replies = await counter.send(choose(replies, "Simpan"))
    assert "tidak ditukar" in replies[0]
    await counter.send(choose(await counter.send("menu"), "Tukar voucher"))
    await counter.send(codes.display(code))
    await counter.send("JNE77777777")
    await counter.send("40rb")
    replies = await counter.send(choose(await counter.send("Ya"), "Simpan"))
    assert "ongkir Rp40.000, ditanggung program Rp25.000" in replies[0]
    async with app.db.transaction() as tx:
        voucher = (await tx.session.execute(select(Voucher))).scalar_one()
    assert (voucher.ongkir, voucher.paid) == (40_000, 25_000)


async def test_mistyped_and_unknown_codes_are_told_apart_and_guessing_pauses_the_counter(app: App) -> None:
    code = await _owner_with_voucher(app)
    counter = await _counter(app)
    await counter.send(choose(await counter.send("menu"), "Tukar voucher"))
    wrong_check = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert "salah ketik" in (await counter.send(wrong_check))[0]
    assert "salah ketik" in (await counter.send(code[:4] + "O" + code[5:]))[0]  # a look-alike letter
    unknown = codes.new_code()
    assert "tidak dikenal" in (await counter.send(unknown))[0]
    for _ in range(7):
        await counter.send(codes.new_code())
    # Ten unknown or mistyped codes in ten minutes: still allowed.
    assert "berlaku" in (await counter.send(codes.display(code)))[-1]
    await counter.send(choose(await counter.send("menu"), "Tukar voucher"))
    await counter.send(codes.new_code())
    # Eleven: even the right code waits now.
    replies = await counter.send(codes.display(code))
    assert "Terlalu banyak kode tidak dikenal" in replies[0]
    async with app.db.transaction() as tx:
        reasons = (await tx.session.execute(select(RedeemAttempt.reason))).scalars().all()
        voucher = (await tx.session.execute(select(Voucher))).scalar_one()
    assert (reasons.count("unknown"), reasons.count("mistyped"), reasons.count("guessing")) == (9, 2, 1)
    assert voucher.redeemed_at is None


async def test_a_removed_courier_loses_the_menu_and_an_unknown_link_code_is_refused(app: App) -> None:
    counter = await _counter(app)
    assert any("Tukar voucher" in r for r in await counter.send("menu"))
    async with app.db.transaction() as tx:
        await remove_courier(tx, COURIER, officer="o", now=utcnow())
    assert not any("Tukar voucher" in r for r in await counter.send("menu"))
    other = ConsoleChannel(app.router, app.renderer, "lain")
    assert "tidak dikenal atau sudah dipakai" in (await other.send("KURIR 22222222"))[0]
