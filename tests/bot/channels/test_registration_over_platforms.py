"""A whole registration over each platform, through the real HTTP paths, and no NIK in clear after it."""

from __future__ import annotations

import asyncio

from bot.runner import Service
from tests.bot.channels.conftest import (
    StartService,
    post_whatsapp,
    settle,
    telegram_settings,
    whatsapp_settings,
)
from tests.fakes import FakeTelegram, FakeWhatsApp, text_message_payload
from tests.handlers.registration.conversation import HAPPY_PATH, NIK
from tests.storage.clear_text import stored_in_clear

TELEGRAM_USER = 70001
WA_ID = "6281355500001"


async def _telegram_exchange(service: Service, tg: FakeTelegram, update: dict) -> str:  # type: ignore[type-arg]
    before = len(tg.sent_messages(TELEGRAM_USER))
    tg.push_update(update)
    await tg.wait_for_messages_async(before + 1, chat_id=TELEGRAM_USER, timeout=10)
    await settle(service)
    return "\n".join(str(m.get("text", "")) for m in tg.sent_messages(TELEGRAM_USER)[before:])


async def test_registration_over_telegram(start_service: StartService, tg: FakeTelegram) -> None:
    service = await start_service(**telegram_settings(tg))
    for typed, expected in HAPPY_PATH:
        if typed == "Setuju":  # press the consent button, as an owner would
            keyboard = tg.sent_messages(TELEGRAM_USER)[-1]["reply_markup"]["inline_keyboard"]
            button = next(b for row in keyboard for b in row if "Setuju" in b["text"])
            message_id = tg.bot_messages(TELEGRAM_USER)[-1]["message_id"]
            update = tg.callback_update(TELEGRAM_USER, button["callback_data"], message_id=message_id)
        elif typed == "0812-3456-7890":  # share one's own contact with the request_contact button
            assert "request_contact" in str(tg.sent_messages(TELEGRAM_USER)[-1]["reply_markup"])
            update = tg.contact_update(TELEGRAM_USER, "+6281234567890")
        else:
            update = tg.text_update(TELEGRAM_USER, typed)
        reply = await _telegram_exchange(service, tg, update)
        assert expected.replace("*", "") in reply.replace("<b>", "").replace("</b>", ""), (typed, reply)
    done = await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Simpan"))
    assert "BJB-" in done
    assert not await stored_in_clear(service.app.db, NIK)


async def test_registration_over_whatsapp(start_service: StartService, wa: FakeWhatsApp) -> None:
    service = await start_service(**whatsapp_settings(wa))

    async def say(text: str) -> str:
        before = len(wa.sent_messages(to=WA_ID))
        response = await post_whatsapp(service, text_message_payload(WA_ID, text))
        assert response.status_code == 200
        await settle(service)
        sent = wa.sent_messages(to=WA_ID)[before:]
        return "\n".join(str(m) for m in sent)

    for typed, expected in HAPPY_PATH:
        reply = await say(typed)
        assert expected.replace("*", "") in reply.replace("*", ""), (typed, reply)
    assert "BJB-" in await say("Simpan")
    await asyncio.sleep(0)
    assert not await stored_in_clear(service.app.db, NIK)
