"""`umkm-bot run` as a real process: it serves exactly the platforms whose settings are given."""

from __future__ import annotations

import json
from typing import Any

import httpx

from storage.database import Database
from tests.bot.channels.conftest import APP_SECRET, inbound_rows
from tests.bot.conftest import Running, whatsapp_env
from tests.fakes import FakeTelegram, FakeWhatsApp, sign, text_message_payload

WA_ID = "6281355500042"
TG_USER = 42042


def _telegram_env(tg: FakeTelegram) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.api_base_url}


def _post_whatsapp(running: Running, text: str) -> int:
    body = json.dumps(text_message_payload(WA_ID, text)).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}
    return httpx.post(
        f"{running.url}/webhooks/whatsapp", content=body, headers=headers, trust_env=False
    ).status_code


def test_only_whatsapp_settings_serve_whatsapp(run_bot: Any) -> None:
    with FakeWhatsApp() as wa:
        running = run_bot(**whatsapp_env(wa))
        health = running.health()
        assert health["database"] == "ok" and set(health["channels"]) == {"whatsapp"}
        assert _post_whatsapp(running, "halo") == 200
        reply = wa.wait_for_messages(1, to=WA_ID, timeout=15)[0]
        assert "Menu utama" in json.dumps(reply, ensure_ascii=False)


def test_only_telegram_settings_serve_telegram_by_polling(run_bot: Any) -> None:
    with FakeTelegram() as tg:
        running = run_bot(**_telegram_env(tg))
        assert set(running.health()["channels"]) == {"telegram"}
        tg.push_update(tg.text_update(TG_USER, "halo"))
        reply = tg.wait_for_messages(1, chat_id=TG_USER, timeout=15)[0]
        assert "Menu utama" in reply["text"]


def test_both_platforms_at_once(run_bot: Any) -> None:
    with FakeTelegram() as tg, FakeWhatsApp() as wa:
        running = run_bot(**_telegram_env(tg), **whatsapp_env(wa))
        assert set(running.health()["channels"]) == {"telegram", "whatsapp"}
        tg.push_update(tg.text_update(TG_USER, "halo"))
        assert _post_whatsapp(running, "halo") == 200
        assert "Menu utama" in tg.wait_for_messages(1, chat_id=TG_USER, timeout=15)[0]["text"]
        assert wa.wait_for_messages(1, to=WA_ID, timeout=15)


async def test_a_forged_whatsapp_signature_is_refused_by_the_running_bot(run_bot: Any, db: Database) -> None:
    with FakeWhatsApp() as wa:
        running = run_bot(**whatsapp_env(wa))
        running.health()
        body = json.dumps(text_message_payload(WA_ID, "halo")).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, "not-the-secret")}
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.post(f"{running.url}/webhooks/whatsapp", content=body, headers=headers)
        assert response.status_code == 401
        # The bot stores a delivery before it answers 200, and answers only what it stored.
        assert await inbound_rows(db, "whatsapp") == []
        running.stop()  # after the replies it had in hand: none can come later
        assert wa.sent_messages(to=WA_ID) == []
