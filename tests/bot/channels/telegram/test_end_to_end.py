"""Telegram end to end: the real app against the fake Bot API, by long polling and by webhook."""

from __future__ import annotations

from tests.bot.channels.conftest import (
    TELEGRAM_SECRET,
    StartService,
    inbound_rows,
    settle,
    telegram_settings,
)
from tests.fakes import FakeTelegram

BUDI = 5550001


async def test_polling_conversation_with_inline_keyboard(
    start_service: StartService, tg: FakeTelegram
) -> None:
    service = await start_service(**telegram_settings(tg))
    tg.push_update(tg.text_update(BUDI, "halo"))
    menu = (await tg.wait_for_messages_async(1, chat_id=BUDI))[0]
    assert "<b>Menu utama</b>" in menu["text"]
    buttons = [row[0] for row in menu["reply_markup"]["inline_keyboard"]]
    language = next(b for b in buttons if b["callback_data"].endswith("language"))
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)

    tg.push_update(
        tg.callback_update(
            BUDI, language["callback_data"], message_id=tg.bot_messages(BUDI)[-1]["message_id"]
        )
    )
    asked = (await tg.wait_for_messages_async(2, chat_id=BUDI))[-1]
    assert {b[0]["text"] for b in asked["reply_markup"]["inline_keyboard"]} >= {"English"}
    await tg.wait_for_async(lambda calls: any(c.method == "answerCallbackQuery" for c in calls))
    await settle(service)
    rows = await inbound_rows(service.app.db, "telegram")
    assert len(rows) == 2 and all(r.processed_at is not None for r in rows)


async def test_commands_and_own_contact(start_service: StartService, tg: FakeTelegram) -> None:
    service = await start_service(**telegram_settings(tg))
    tg.push_update(tg.text_update(BUDI, "/start"))
    await tg.wait_for_messages_async(1, chat_id=BUDI)
    tg.push_update(tg.contact_update(BUDI, "+62 812 1111 2222"))
    tg.push_update(tg.contact_update(BUDI, "+62 813 9999 0000", contact_user_id=777))
    await tg.wait_for_messages_async(3, chat_id=BUDI)
    await settle(service)
    async with service.app.db.transaction() as tx:
        _, identity = await tx.users.find_or_create("telegram", str(BUDI))
    assert identity.phone == "+6281211112222"  # someone else's card is not taken as their phone


async def test_unsupported_media_gets_the_polite_reply(start_service: StartService, tg: FakeTelegram) -> None:
    await start_service(**telegram_settings(tg))
    update = tg.text_update(BUDI, "x")
    message = update["message"]
    del message["text"]
    message.pop("entities", None)
    message["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    tg.push_update(update)
    sent = await tg.wait_for_messages_async(1, chat_id=BUDI)
    assert "teks" in sent[0]["text"]


async def test_webhook_with_the_right_secret_is_processed(
    start_service: StartService, tg: FakeTelegram
) -> None:
    service = await start_service(webhook=True, **telegram_settings(tg))
    assert tg.webhook is not None and tg.webhook["secret_token"] == TELEGRAM_SECRET
    status = await tg.deliver_webhook_async(tg.text_update(BUDI, "halo"))
    assert status == 200
    sent = await tg.wait_for_messages_async(1, chat_id=BUDI)
    assert "Menu utama" in sent[0]["text"]
    await settle(service)


async def test_webhook_with_a_wrong_or_missing_secret_is_refused(
    start_service: StartService, tg: FakeTelegram
) -> None:
    service = await start_service(webhook=True, **telegram_settings(tg))
    assert await tg.deliver_webhook_async(tg.text_update(BUDI, "halo"), secret="wrong-secret") == 403
    assert await tg.deliver_webhook_async(tg.text_update(BUDI, "halo"), secret="") == 403
    await settle(service)
    assert await inbound_rows(service.app.db, "telegram") == []
    assert tg.sent_messages(BUDI) == []


async def test_a_replayed_update_id_is_processed_once(start_service: StartService, tg: FakeTelegram) -> None:
    service = await start_service(webhook=True, **telegram_settings(tg))
    update = tg.text_update(BUDI, "halo") | {"update_id": 424242}
    for _ in range(3):
        assert await tg.deliver_webhook_async(update) == 200
    await settle(service)
    await tg.wait_for_messages_async(1, chat_id=BUDI)
    assert len(tg.sent_messages(BUDI)) == 1
    assert len(await inbound_rows(service.app.db, "telegram")) == 1
