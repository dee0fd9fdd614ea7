"""WhatsApp 131047 (more than 24 hours since the owner wrote) for outbox rows, over real HTTP.

Meta refuses a free-form send outside the window either at once (Graph error 131047) or, more
often, accepts it and reports the failure later in a status webhook. Either way the row goes
again as the approved template for its kind, with the message text as its one body parameter;
a template refused with 131047 too ends the row as failed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.runner import Service
from handlers.types import utcnow
from storage.models.outbox import FAILED, SENT, OutboxMessage
from tests.bot.channels.conftest import (
    StartService,
    outbound_row,
    post_whatsapp,
    settle,
    sweep,
    whatsapp_settings,
)
from tests.bot.channels.test_update_round_over_platforms import _settings
from tests.bot.outbox.helpers import broadcast_text
from tests.bot.outbox.seed import seed_owners
from tests.fakes import FakeWhatsApp, status_payload, text_message_payload

TEMPLATE = "pengumuman_dinas"  # the shipped profile's template for announcements
TEXT = "Pelatihan pemasaran digital\nhari Sabtu   di aula dinas.\n\nGratis untuk semua."
FLAT = "Pelatihan pemasaran digital · hari Sabtu di aula dinas. · Gratis untuk semua."


# The template goes to the owner who just got the text: WhatsApp's one message per user every
# 6 s would make each test wait that long, and the pacing is tested elsewhere.
PER_USER_SECONDS = 0.3


async def _start(start_service: StartService, wa: FakeWhatsApp, tmp_path: Path) -> tuple[Service, str]:
    service = await start_service(
        **_settings(tmp_path, whatsapp_settings(wa)), outbox_whatsapp_per_user_seconds=PER_USER_SECONDS
    )
    [wa_id] = await seed_owners(service.app.db, 1, channel="whatsapp")
    return service, wa_id


async def _announce(service: Service) -> None:
    await broadcast_text(service.app.db, TEXT, now=utcnow())


async def _row(service: Service) -> OutboxMessage:
    async with service.app.db.transaction() as tx:
        [row] = (await tx.session.execute(select(OutboxMessage))).scalars().all()
        return row


async def _wait_row(service: Service, status: str, timeout: float = 10.0) -> OutboxMessage:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        row = await _row(service)
        if row.status == status:
            return row
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox row is {row.status!r} ({row.last_error}), not {status!r}")
        await asyncio.sleep(0.05)


def _template_parameters(message: dict[str, Any]) -> list[str]:
    assert message["type"] == "template"
    template = message["template"]
    assert template["name"] == TEMPLATE and template["language"] == {"code": "id"}
    [body] = [c for c in template["components"] if c["type"] == "body"]
    return [p["text"] for p in body["parameters"]]


def _assert_announcement_template(message: dict[str, Any]) -> None:
    [text] = _template_parameters(message)
    assert FLAT in text and "Pengumuman" in text
    assert "\n" not in text and "  " not in text and len(text) <= 1000


async def _failed_status(service: Service, wamid: str, wa_id: str) -> None:
    payload = status_payload(wamid, "failed", wa_id, error_code=131047)
    assert (await post_whatsapp(service, payload)).status_code == 200


def _sends(wa: FakeWhatsApp) -> list[dict[str, Any]]:
    """Every send WhatsApp received, refused ones too."""
    return [c.params for c in wa.calls if c.method == "send"]


async def _a_sweep_sends_nothing_more(service: Service, wa: FakeWhatsApp, *, outbox: dict[str, int]) -> None:
    """A sweep now sends nothing, and no row is left due or leased for a later one: the outbox
    holds exactly `outbox` (row counts by status)."""
    before = len(_sends(wa))
    result = await sweep(service, "whatsapp")
    assert not result.held and result.sent == 0
    assert len(_sends(wa)) == before
    async with service.app.db.transaction() as tx:
        assert await tx.outbox.status_counts() == outbox


async def _replayed_status_sends_nothing_more(
    service: Service, wa: FakeWhatsApp, wamid: str, wa_id: str, *, sent: int, outbox: dict[str, int]
) -> None:
    """The same failed status again (Meta retries a webhook): the row is not queued again, so
    the next sweep sends nothing and `wa_id` still has `sent` messages."""
    await _failed_status(service, wamid, wa_id)
    await _a_sweep_sends_nothing_more(service, wa, outbox=outbox)
    assert len(wa.sent_messages(to=wa_id)) == sent


async def test_refused_at_once_goes_again_as_the_template(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service, wa_id = await _start(start_service, wa, tmp_path)
    wa.fail_next(code=131047, to=wa_id)
    await _announce(service)

    [template] = await wa.wait_for_messages_async(1, to=wa_id, timeout=10)
    _assert_announcement_template(template)
    refused = _sends(wa)[0]
    assert refused["type"] == "text" and "Pelatihan pemasaran digital" in refused["text"]["body"]
    row = await _wait_row(service, SENT)
    assert row.provider_message_id == wa.message_ids(wa_id)[0]


async def test_failed_status_131047_sends_the_template_once(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service, wa_id = await _start(start_service, wa, tmp_path)
    await _announce(service)
    [first] = await wa.wait_for_messages_async(1, to=wa_id, timeout=10)
    assert first["type"] == "text" and "Pelatihan pemasaran digital" in first["text"]["body"]
    [wamid] = wa.message_ids(wa_id)
    assert (await _wait_row(service, SENT)).provider_message_id == wamid

    await _failed_status(service, wamid, wa_id)
    sent = await wa.wait_for_messages_async(2, to=wa_id, timeout=10)
    _assert_announcement_template(sent[1])
    template_wamid = wa.message_ids(wa_id)[1]
    row = await _wait_row(service, SENT)
    assert row.provider_message_id == template_wamid
    # The status is still stored against the message, as for any send.
    stored = await outbound_row(service.app.db, "whatsapp", wamid)
    assert stored is not None and stored.status == "failed" and stored.error_code == 131047

    # Meta delivers a webhook again when it got no 200 in time: nothing more goes out.
    await _replayed_status_sends_nothing_more(service, wa, wamid, wa_id, sent=2, outbox={SENT: 1})
    assert (await _row(service)).provider_message_id == template_wamid


async def test_template_refused_again_by_status_ends_the_row(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service, wa_id = await _start(start_service, wa, tmp_path)
    await _announce(service)
    await wa.wait_for_messages_async(1, to=wa_id, timeout=10)
    await _wait_row(service, SENT)
    await _failed_status(service, wa.message_ids(wa_id)[0], wa_id)
    await wa.wait_for_messages_async(2, to=wa_id, timeout=10)
    template_wamid = wa.message_ids(wa_id)[1]
    assert (await _wait_row(service, SENT)).provider_message_id == template_wamid

    await _failed_status(service, template_wamid, wa_id)
    row = await _wait_row(service, FAILED)
    assert row.last_error is not None and "131047" in row.last_error and "template" in row.last_error
    await _replayed_status_sends_nothing_more(service, wa, template_wamid, wa_id, sent=2, outbox={FAILED: 1})
    assert (await _row(service)).status == FAILED


async def test_template_refused_at_once_too_ends_the_row(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service, wa_id = await _start(start_service, wa, tmp_path)
    wa.fail_next(code=131047, count=2, to=wa_id)
    await _announce(service)

    row = await _wait_row(service, FAILED)
    assert row.last_error is not None and "131047" in row.last_error
    sends = _sends(wa)
    assert [s["type"] for s in sends] == ["text", "template"]
    _assert_announcement_template(sends[1])
    await _a_sweep_sends_nothing_more(service, wa, outbox={FAILED: 1})
    assert len(_sends(wa)) == 2
    assert wa.sent_messages(to=wa_id) == []


async def test_failed_status_of_a_direct_reply_changes_no_outbox_row(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service, wa_id = await _start(start_service, wa, tmp_path)
    assert (await post_whatsapp(service, text_message_payload(wa_id, "halo"))).status_code == 200
    await settle(service)
    replies = wa.message_ids(wa_id)
    assert replies

    await _failed_status(service, replies[-1], wa_id)
    stored = await outbound_row(service.app.db, "whatsapp", replies[-1])
    assert stored is not None and stored.status == "failed" and stored.error_code == 131047
    await _a_sweep_sends_nothing_more(service, wa, outbox={})
    assert len(wa.message_ids(wa_id)) == len(replies)
