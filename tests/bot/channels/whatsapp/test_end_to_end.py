"""WhatsApp end to end: signed webhooks into the real app, replies recorded by the fake Graph API."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from bot.channels.whatsapp.channel import store_delivery
from bot.channels.whatsapp.webhook import parse_webhook
from storage.database import Database
from tests.bot.channels.conftest import (
    APP_SECRET,
    VERIFY_TOKEN,
    StartService,
    inbound_rows,
    outbound_row,
    post_whatsapp,
    settle,
    whatsapp_settings,
)
from tests.fakes import (
    FakeWhatsApp,
    button_reply_payload,
    contacts_payload,
    image_payload,
    list_reply_payload,
    sign,
    status_payload,
    text_message_payload,
)

SITI = "6281234567890"


def _interactive(message: dict) -> dict:
    assert message["type"] == "interactive", message
    return message["interactive"]


async def test_a_signed_text_gets_the_menu_as_interactive_message(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    response = await post_whatsapp(service, text_message_payload(SITI, "halo"))
    assert response.status_code == 200
    sent = await wa.wait_for_messages_async(1, to=SITI)
    interactive = _interactive(sent[0])
    assert "Menu utama" in interactive["body"]["text"]
    assert interactive["type"] in ("button", "list")
    await settle(service)
    rows = await inbound_rows(service.app.db, "whatsapp")
    assert len(rows) == 1 and rows[0].processed_at is not None and rows[0].error is None
    # The reply is recorded as our outbound message, ready for status callbacks.
    wamid = wa.message_ids(SITI)[0]
    assert (await outbound_row(service.app.db, "whatsapp", wamid)) is not None


async def test_button_reply_and_list_reply_select_the_offered_choice(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    await post_whatsapp(service, text_message_payload(SITI, "halo"))
    first = await wa.wait_for_messages_async(1, to=SITI)
    menu = _interactive(first[0])
    options = (
        [(b["reply"]["id"], b["reply"]["title"]) for b in menu["action"]["buttons"]]
        if menu["type"] == "button"
        else [(r["id"], r["title"]) for r in menu["action"]["sections"][0]["rows"]]
    )
    language = next((id_, title) for id_, title in options if id_.endswith("language"))
    await post_whatsapp(service, button_reply_payload(SITI, *language))
    asked = await wa.wait_for_messages_async(2, to=SITI)
    ask = _interactive(asked[-1])
    buttons = {b["reply"]["title"]: b["reply"]["id"] for b in ask["action"]["buttons"]}
    english = next(id_ for title, id_ in buttons.items() if "English" in title)
    # The same choice as a list row works just the same.
    await post_whatsapp(service, list_reply_payload(SITI, english, "English"))
    sent = await wa.wait_for_messages_async(4, to=SITI)
    texts = [m.get("text", {}).get("body") or _interactive(m)["body"]["text"] for m in sent[2:]]
    assert any("English" in t or "Main menu" in t for t in texts), texts


async def test_forged_or_missing_signature_is_refused_and_nothing_stored(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    payload = text_message_payload(SITI, "halo")
    assert (await post_whatsapp(service, payload, secret="not-the-secret")).status_code == 401
    assert (await post_whatsapp(service, payload, secret=None)).status_code == 401
    assert (await post_whatsapp(service, payload, signature="sha256=" + "0" * 64)).status_code == 401
    assert (await post_whatsapp(service, payload, signature="garbage")).status_code == 401
    assert await inbound_rows(service.app.db, "whatsapp") == []
    assert wa.sent_messages() == []


async def test_a_replayed_delivery_is_processed_once(start_service: StartService, wa: FakeWhatsApp) -> None:
    service = await start_service(**whatsapp_settings(wa))
    payload = text_message_payload(SITI, "halo")
    for _ in range(3):
        assert (await post_whatsapp(service, payload)).status_code == 200
    await settle(service)
    await wa.wait_for_messages_async(1, to=SITI)
    assert len(await inbound_rows(service.app.db, "whatsapp")) == 1
    assert len(wa.sent_messages(SITI)) == 1


async def test_a_replay_after_restart_is_processed_once(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    payload = text_message_payload(SITI, "halo")
    first = await start_service(**whatsapp_settings(wa))
    await post_whatsapp(first, payload)
    await settle(first)
    await first.stop()
    second = await start_service(**whatsapp_settings(wa))
    assert (await post_whatsapp(second, payload)).status_code == 200
    await settle(second)
    assert len(wa.sent_messages(SITI)) == 1


async def test_an_image_gets_the_polite_reply(start_service: StartService, wa: FakeWhatsApp) -> None:
    service = await start_service(**whatsapp_settings(wa))
    media_id = wa.add_media(b"\xff\xd8jpeg", "image/jpeg")
    await post_whatsapp(service, image_payload(SITI, media_id, caption="foto usaha saya"))
    sent = await wa.wait_for_messages_async(1, to=SITI)
    assert sent[0]["type"] == "text"
    assert "teks" in sent[0]["text"]["body"]


async def test_own_contact_card_is_accepted(start_service: StartService, wa: FakeWhatsApp) -> None:
    service = await start_service(**whatsapp_settings(wa))
    await post_whatsapp(service, contacts_payload(SITI, "+62 812-3456-7890"))
    await wa.wait_for_messages_async(1, to=SITI)
    await settle(service)
    async with service.app.db.transaction() as tx:
        _user, identity = await tx.users.find_or_create("whatsapp", SITI)
        assert identity.phone == "+6281234567890"
        assert identity.last_inbound_at is not None


async def test_status_callbacks_are_stored_against_our_message(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    await post_whatsapp(service, text_message_payload(SITI, "halo"))
    await wa.wait_for_messages_async(1, to=SITI)
    await settle(service)
    wamid = wa.message_ids(SITI)[0]
    for status in ("delivered", "read"):
        assert (await post_whatsapp(service, status_payload(wamid, status, SITI))).status_code == 200
    row = await outbound_row(service.app.db, "whatsapp", wamid)
    assert row is not None and row.status == "read"
    # A late "delivered" does not move it back; a failure records its code.
    await post_whatsapp(service, status_payload(wamid, "delivered", SITI))
    await post_whatsapp(service, status_payload(wamid, "failed", SITI, error_code=131047))
    row = await outbound_row(service.app.db, "whatsapp", wamid)
    assert row is not None and row.status == "failed" and row.error_code == 131047


async def test_a_graph_error_while_replying_is_recorded_on_the_row(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    wa.fail_next(code=131047)
    await post_whatsapp(service, text_message_payload(SITI, "halo"))
    await settle(service)
    rows = await inbound_rows(service.app.db, "whatsapp")
    assert rows[0].processed_at is not None
    assert rows[0].error is not None and "OutsideWindow" in rows[0].error and "131047" in rows[0].error


async def test_verification_handshake(start_service: StartService, wa: FakeWhatsApp) -> None:
    service = await start_service(**whatsapp_settings(wa))
    url = f"{service.url}/webhooks/whatsapp"
    async with httpx.AsyncClient(trust_env=False) as client:
        ok = await client.get(
            url,
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        )
        bad = await client.get(
            url, params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}
        )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert bad.status_code == 403


async def test_a_weird_signed_payload_is_acknowledged_not_a_500(
    start_service: StartService, wa: FakeWhatsApp
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    for body in (
        b"not json",
        b"[]",
        b'{"entry": [{"changes": [{"value": {"messages": [{"type": "text"}]}}]}]}',
    ):
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.post(
                f"{service.url}/webhooks/whatsapp",
                content=body,
                headers={"X-Hub-Signature-256": sign(body, APP_SECRET)},
            )
        assert response.status_code == 200
    assert await inbound_rows(service.app.db, "whatsapp") == []


async def test_stored_but_unprocessed_messages_are_processed_at_start(
    start_service: StartService, wa: FakeWhatsApp, db: Database
) -> None:
    # As if the process died after acknowledging the delivery but before answering.
    batch = parse_webhook(text_message_payload(SITI, "halo"))
    async with db.transaction() as tx:
        assert len(await store_delivery(tx, batch)) == 1
    service = await start_service(**whatsapp_settings(wa))
    sent = await wa.wait_for_messages_async(1, to=SITI)
    assert "Menu utama" in _interactive(sent[0])["body"]["text"]
    await settle(service)
    rows = await inbound_rows(service.app.db, "whatsapp")
    assert rows[0].processed_at is not None


async def test_healthz_reports_database_and_channels(start_service: StartService, wa: FakeWhatsApp) -> None:
    service = await start_service(**whatsapp_settings(wa))
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(f"{service.url}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["channels"] == {"whatsapp": {"mode": "webhook", "state": "ok"}}


async def test_a_delivery_that_cannot_be_stored_is_a_500_so_meta_sends_it_again(
    start_service: StartService, wa: FakeWhatsApp, db: Database
) -> None:
    service = await start_service(**whatsapp_settings(wa))
    payload = text_message_payload(SITI, "halo")
    async with db.transaction() as tx:  # the store breaks (a full disk, a lost database)
        await tx.session.execute(text("ALTER TABLE inbound_messages RENAME TO inbound_away"))
    assert (await post_whatsapp(service, payload)).status_code == 500
    async with db.transaction() as tx:
        await tx.session.execute(text("ALTER TABLE inbound_away RENAME TO inbound_messages"))
    assert wa.sent_messages(SITI) == [], "nothing was answered for a delivery that was not stored"
    assert (await post_whatsapp(service, payload)).status_code == 200  # Meta's retry
    sent = await wa.wait_for_messages_async(1, to=SITI)
    assert "Menu utama" in _interactive(sent[0])["body"]["text"]
    await settle(service)
    assert len(await inbound_rows(service.app.db, "whatsapp")) == 1
