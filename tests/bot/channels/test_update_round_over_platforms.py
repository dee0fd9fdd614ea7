"""A data-update round over each platform: the invitation arrives through the outbox, the owner answers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.runner import Service
from handlers.types import utcnow
from handlers.update_round.planner import open_round
from storage.models import Business, UpdateAnswer
from tests.bot.channels.conftest import (
    StartService,
    post_whatsapp,
    settle,
    telegram_settings,
    whatsapp_settings,
)
from tests.bot.channels.test_registration_over_platforms import TELEGRAM_USER, WA_ID, _telegram_exchange
from tests.fakes import FakeTelegram, FakeWhatsApp, text_message_payload
from tests.handlers.registration.conversation import HAPPY_PATH
from tests.profiles import profile_without_quiet_hours


def _settings(tmp_path: Path, platform: dict[str, Any]) -> dict[str, Any]:
    return {**platform, "agency_profile": profile_without_quiet_hours(tmp_path), "outbox_sweep_seconds": 0.2}


async def _open_round(service: Service) -> None:
    async with service.app.db.transaction() as tx:
        await open_round(
            tx, officer="officer:test", deadline=date.today() + timedelta(days=10), note=None, now=utcnow()
        )


async def _answers(service: Service) -> list[tuple[str, str]]:
    async with service.app.db.transaction() as tx:
        rows = await tx.session.execute(
            select(UpdateAnswer.outcome, Business.status).join(
                Business, Business.owner_id == UpdateAnswer.owner_id
            )
        )
        return [(outcome, status) for outcome, status in rows]


async def test_update_round_over_telegram(
    start_service: StartService, tg: FakeTelegram, tmp_path: Path
) -> None:
    service = await start_service(**_settings(tmp_path, telegram_settings(tg)))
    for typed, _ in HAPPY_PATH:
        await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, typed))
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Simpan"))
    before = len(tg.sent_messages(TELEGRAM_USER))

    await _open_round(service)
    await tg.wait_for_messages_async(before + 1, chat_id=TELEGRAM_USER, timeout=15)
    invitation = str(tg.sent_messages(TELEGRAM_USER)[-1]["text"])
    assert "Pembaruan data" in invitation and "Perbarui data" in invitation

    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "menu"))
    asked = await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Perbarui data"))
    assert "masih berjalan" in asked
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Masih berjalan"))
    done = await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Simpan"))
    assert "aktif" in done
    assert await _answers(service) == [("active", "active")]


async def test_update_round_over_whatsapp(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service = await start_service(**_settings(tmp_path, whatsapp_settings(wa)))

    async def say(text: str) -> str:
        before = len(wa.sent_messages(to=WA_ID))
        assert (await post_whatsapp(service, text_message_payload(WA_ID, text))).status_code == 200
        await settle(service)
        return "\n".join(str(m) for m in wa.sent_messages(to=WA_ID)[before:])

    for typed, _ in HAPPY_PATH:
        await say(typed)
    await say("Simpan")
    before = len(wa.sent_messages(to=WA_ID))

    await _open_round(service)
    await wa.wait_for_messages_async(before + 1, to=WA_ID, timeout=15)
    assert "Pembaruan data" in str(wa.sent_messages(to=WA_ID)[-1])

    await say("menu")
    assert "masih berjalan" in await say("Perbarui data")
    await say("Sudah tutup")
    await say("Pindah ke Kalimantan Timur")
    assert "tidak aktif" in await say("Simpan")
    assert await _answers(service) == [("closed", "inactive")]
