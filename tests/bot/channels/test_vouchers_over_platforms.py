"""Vouchers over Telegram and WhatsApp: the QR arrives as a photo / an uploaded image that
opens PUBLIC_URL/v/CODE, a counter redeems it by chat, and the owner is told through the
outbox; reminders before expiry and the resumed program's notice go out once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bot.runner import Service
from handlers.types import utcnow
from handlers.vouchers import codes
from handlers.vouchers.planner import ExpiryPlanner
from handlers.vouchers.programs import pause, resume
from storage.models import Voucher
from tests.bot.channels.conftest import (
    StartService,
    post_whatsapp,
    settle,
    sweep,
    telegram_settings,
    whatsapp_settings,
)
from tests.bot.channels.test_registration_over_platforms import TELEGRAM_USER, WA_ID, _telegram_exchange
from tests.fakes import FakeTelegram, FakeWhatsApp, text_message_payload
from tests.handlers.registration.conversation import HAPPY_PATH
from tests.handlers.vouchers.helpers import courier_code, program
from tests.handlers.vouchers.test_owner_chat import decoded
from tests.profiles import profile_without_quiet_hours

PUBLIC_URL = "https://umkm.example.go.id"
COUNTER = 70002


def _settings(tmp_path: Path, platform: dict[str, Any]) -> dict[str, Any]:
    return {
        **platform,
        "agency_profile": profile_without_quiet_hours(tmp_path),
        "public_url": PUBLIC_URL,
        "outbox_whatsapp_per_user_seconds": 0,
    }


async def _code(service: Service) -> str:
    async with service.app.db.transaction() as tx:
        return codes.display(str((await tx.session.execute(select(Voucher.code))).scalar_one()))


async def test_a_voucher_over_telegram_redeemed_by_a_counter_on_telegram(
    start_service: StartService, tg: FakeTelegram, tmp_path: Path
) -> None:
    service = await start_service(**_settings(tmp_path, telegram_settings(tg)))
    for typed, _ in HAPPY_PATH:
        await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, typed))
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Simpan"))
    await program(service.app, max_ongkir=25_000)
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "menu"))
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Voucher gratis ongkir"))
    code = await _code(service)
    photo = next(m for m in tg.sent_messages(TELEGRAM_USER) if "photo" in m)
    assert decoded(photo["photo"].data) == f"{PUBLIC_URL}/v/{code}"
    assert code in "\n".join(
        str(m.get("text", m.get("caption", ""))) for m in tg.sent_messages(TELEGRAM_USER)
    )

    # A counter on Telegram links and redeems it.
    link = await courier_code(service.app)

    async def counter(text: str) -> str:
        before = len(tg.sent_messages(COUNTER))
        tg.push_update(tg.text_update(COUNTER, text))
        await tg.wait_for_messages_async(before + 1, chat_id=COUNTER, timeout=10)
        await settle(service)
        return "\n".join(str(m.get("text", "")) for m in tg.sent_messages(COUNTER)[before:])

    assert "JNE Banjarbaru" in await counter(f"KURIR {link}")
    await counter("Tukar voucher")
    assert "Siti" in await counter(code)
    await counter("JNE0001234")
    await counter("18rb")
    before = len(tg.sent_messages(TELEGRAM_USER))
    assert "ditukar" in await counter("Simpan")
    await sweep(service, "telegram")
    await tg.wait_for_messages_async(before + 1, chat_id=TELEGRAM_USER, timeout=10)
    await sweep(service, "telegram")
    told = tg.sent_messages(TELEGRAM_USER)[before:]
    assert (
        len(told) == 1
        and "sudah dipakai untuk resi" in str(told[0]["text"])
        and "JNE0001234" in str(told[0]["text"])
    )


async def _deliver(service: Service, wa: FakeWhatsApp, before: int) -> None:
    """Sweep until the one queued message arrived, then once more: nothing else goes."""
    await sweep(service, "whatsapp")
    await wa.wait_for_messages_async(before + 1, to=WA_ID, timeout=10)
    await sweep(service, "whatsapp")


async def test_a_voucher_over_whatsapp_is_an_uploaded_image_and_reminders_go_once(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service = await start_service(**_settings(tmp_path, whatsapp_settings(wa)))

    async def say(text: str) -> list[dict[str, Any]]:
        before = len(wa.sent_messages(to=WA_ID))
        assert (await post_whatsapp(service, text_message_payload(WA_ID, text))).status_code == 200
        await settle(service)
        return wa.sent_messages(to=WA_ID)[before:]

    for typed, _ in HAPPY_PATH:
        await say(typed)
    await say("Simpan")
    chosen = await program(service.app, valid_days=10)
    await say("menu")
    sent = await say("Voucher gratis ongkir")
    code = await _code(service)
    image = next(m for m in sent if m.get("type") == "image")
    uploaded = wa.uploaded_media[image["image"]["id"]]
    assert uploaded.content_type == "image/png" and decoded(uploaded.data) == f"{PUBLIC_URL}/v/{code}"

    # Three days before it ends: one reminder, however often the planner runs.
    now = utcnow()
    async with service.app.db.transaction() as tx:
        await tx.session.execute(
            update(Voucher).values(issued_at=now - timedelta(days=8), expires_at=now + timedelta(days=2))
        )
    planner = ExpiryPlanner(service.app.db, service.app.agency)
    before = len(wa.sent_messages(to=WA_ID))
    assert await planner.plan(now - timedelta(days=2)) == 0  # four days before: not yet
    assert await planner.plan(now) == 1
    assert await planner.plan(now + timedelta(hours=1)) == 0
    await _deliver(service, wa, before)
    reminders = wa.sent_messages(to=WA_ID)[before:]
    assert len(reminders) == 1 and code in str(reminders[0]) and "belum dipakai" in str(reminders[0])

    # Asked while paused: told once when it resumes.
    async with service.app.db.transaction() as tx:
        await pause(
            tx,
            chosen.id,
            reason="Pembaruan data sampai 15 Desember.",
            void_issued=False,
            officer="o",
            now=utcnow(),
        )
    assert "Pembaruan data sampai 15 Desember." in str(await say("Voucher gratis ongkir"))
    before = len(wa.sent_messages(to=WA_ID))
    async with service.app.db.transaction() as tx:
        _program, told = await resume(tx, chosen.id, officer="o", now=utcnow())
    assert told == 1
    await _deliver(service, wa, before)
    resumed = wa.sent_messages(to=WA_ID)[before:]
    assert len(resumed) == 1 and "berjalan lagi" in str(resumed[0])
