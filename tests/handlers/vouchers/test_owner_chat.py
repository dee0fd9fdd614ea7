"""An owner asks for a voucher by chat: the code and its QR, or why not and what to do next."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import zxingcpp
from PIL import Image
from sqlalchemy import select, update

from bot.app import App
from bot.channels.console import ConsoleChannel
from handlers.types import Incoming
from handlers.update_round import open_round
from handlers.vouchers import codes
from handlers.vouchers.programs import pause, resume
from messages.filters import format_long_date
from storage.models import AuditEntry, Business, Voucher, VoucherWaiter
from tests.handlers.update_round.test_update_round import choose
from tests.handlers.vouchers.helpers import program, register

PUBLIC_URL = "http://127.0.0.1:8080"  # the test settings' HTTP server: PUBLIC_URL's default


def decoded(content: bytes) -> str:
    """What a phone camera reads from the voucher's QR image."""
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(content)))
    return str(found.text)


async def _ask(app: App, user: str) -> list[str]:
    chat = ConsoleChannel(app.router, app.renderer, user)
    replies = await chat.send("menu")
    return await chat.send(choose(replies, "Voucher gratis ongkir"))


async def test_an_unregistered_person_is_offered_registration_first(app: App) -> None:
    await program(app)
    chat = ConsoleChannel(app.router, app.renderer, "tamu")
    replies = await chat.send(choose(await chat.send("halo"), "Voucher gratis ongkir"))
    assert "Daftarkan usaha Anda dulu" in replies[-1]
    replies = await chat.send(choose(replies, "Daftar usaha"))
    assert "Pemberitahuan data pribadi" in replies[-1]


async def test_a_registered_owner_gets_a_code_and_a_qr_that_opens_the_scan_page(app: App) -> None:
    await register(app, "ani")
    await program(app, max_ongkir=25_000, valid_days=30)
    response = await app.router.handle(Incoming("console", "ani", text="menu"))
    chat = ConsoleChannel(app.router, app.renderer, "ani")
    menu = [app.renderer.render_reply(r, "id") for r in response.replies][-1]
    number = next(str(i) for i, c in enumerate(menu.choices, 1) if "Voucher gratis ongkir" in c.label)
    response = await app.router.handle(Incoming("console", "ani", text=number))
    issued = response.replies[0]
    text = app.renderer.render_reply(issued, "id").text
    async with app.db.transaction() as tx:
        voucher = (await tx.session.execute(select(Voucher))).scalar_one()
        audit = (await tx.session.execute(select(AuditEntry.action))).scalars().all()
    shown = codes.display(voucher.code)
    assert shown in text and "Rp25.000" in text
    until = voucher.expires_at.astimezone(app.agency.time_zone) - timedelta(seconds=1)
    assert until.date() == voucher.issued_at.astimezone(app.agency.time_zone).date() + timedelta(days=30)
    assert issued.image is not None and issued.image.mime_type == "image/png"
    assert decoded(issued.image.content) == f"{PUBLIC_URL}/v/{shown}"
    assert "voucher.issued" in audit
    # The code is random and checked: a second owner's differs, and each one reads back as itself.
    await register(app, "budi", nik="6372021203850001")
    await _ask(app, "budi")
    async with app.db.transaction() as tx:
        both = (await tx.session.execute(select(Voucher.code))).scalars().all()
    assert len(set(both)) == 2 and all(codes.read_code(codes.display(c)).ok for c in both)
    # Voucher saya shows it, and its QR again.
    replies = await chat.send(choose(await chat.send("menu"), "Voucher saya"))
    assert shown in replies[-1] and "Aktif" in replies[-1]
    replies = await chat.send(choose(replies, f"QR {shown}"))
    assert shown in replies[0] and f"voucher-{shown}.png" in replies[0]


async def test_the_limit_per_month_says_when_the_next_voucher_is_possible(app: App) -> None:
    await register(app, "ani")
    await program(app, per_owner=1, period="month")
    await _ask(app, "ani")
    replies = await _ask(app, "ani")
    async with app.db.transaction() as tx:
        issued_at = (await tx.session.execute(select(Voucher.issued_at))).scalar_one()
    local = issued_at.astimezone(app.agency.time_zone).date()
    following = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
    words = format_long_date(following, "id", app.agency.time_zone)  # "Jumat, 1 Januari 2027"
    assert "batas per pelaku usaha" in replies[0] and words in replies[0]


async def test_a_paused_program_says_the_officers_reason_and_the_owner_is_told_when_it_resumes(
    app: App,
) -> None:
    await register(app, "ani")
    chosen = await program(app)
    now = datetime.now(UTC)
    async with app.db.transaction() as tx:
        await pause(
            tx,
            chosen.id,
            reason="Sedang pembaruan data, coba lagi awal bulan.",
            void_issued=False,
            officer="o",
            now=now,
        )
    replies = await _ask(app, "ani")
    assert (
        "dihentikan sementara" in replies[0] and "Sedang pembaruan data, coba lagi awal bulan." in replies[0]
    )
    async with app.db.transaction() as tx:
        assert len((await tx.session.execute(select(VoucherWaiter))).scalars().all()) == 1
        _program, told = await resume(tx, chosen.id, officer="o", now=now)
    # A console user has no platform to be told on; over Telegram the outbox tells them
    # (tests/handlers/vouchers/test_notices.py). Resumed, the request goes through.
    assert told == 0
    replies = await _ask(app, "ani")
    assert "Voucher gratis ongkir Anda" in replies[0]


async def test_an_inactive_business_or_one_outside_the_area_or_size_is_refused_with_the_reason(
    app: App,
) -> None:
    await register(app, "ani")  # Landasan Ulin (63.72.02), micro
    await program(app, name="Khusus Cempaka", districts=["63.72.04"])
    replies = await _ask(app, "ani")
    assert "di luar wilayah itu" in replies[0]
    async with app.db.transaction() as tx:
        await tx.session.execute(update(Business).values(status="inactive"))
    replies = await _ask(app, "ani")
    assert "tidak aktif" in replies[0] and "Perbarui data" in replies[0]


async def test_data_not_current_offers_the_update_form_then_comes_back_to_the_voucher(app: App) -> None:
    chat = await register(app, "ani")
    await program(app, requires_current_data=True)
    async with app.db.transaction() as tx:
        # The round opened after the owner registered: their data is not confirmed in it yet.
        await open_round(
            tx, officer="o", deadline=date.today() + timedelta(days=10), note=None, now=datetime.now(UTC)
        )
    replies = await _ask(app, "ani")
    assert "pembaruan data" in replies[-1] and "Perbarui data sekarang" in replies[-1]
    replies = await chat.send(choose(replies, "Perbarui data sekarang"))
    assert "masih berjalan" in replies[-1]
    replies = await chat.send(choose(replies, "Masih berjalan"))
    replies = await chat.send(choose(replies, "Simpan"))
    text = "\n".join(replies)
    assert "Terima kasih" in text or "aktif" in text
    assert "Voucher gratis ongkir Anda" in text, text


async def test_hapus_data_keeps_the_voucher_counts_but_not_the_owner(app: App) -> None:
    chat = await register(app, "ani")
    chosen = await program(app, quota=5)
    await _ask(app, "ani")
    replies = await chat.send(choose(await chat.send("menu"), "Hapus data"))
    replies = await chat.send(choose(replies, "Ya, hapus"))
    assert "sudah dihapus" in replies[0]
    async with app.db.transaction() as tx:
        voucher = (await tx.session.execute(select(Voucher))).scalar_one()
        counts = await tx.vouchers.counts(chosen.id, datetime.now(UTC))
        waiting = (await tx.session.execute(select(VoucherWaiter))).scalars().all()
    assert voucher.owner_id is None and (voucher.district_code, voucher.size_class) == ("63.72.02", "micro")
    assert counts["issued"] == 1 and counts["active"] == 1 and not waiting
