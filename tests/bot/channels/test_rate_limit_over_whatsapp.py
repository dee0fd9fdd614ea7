"""WhatsApp rate limits (130429, and 131056 for one recipient) pause the outbox and lose nothing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import select

from bot.channels.whatsapp.client import RATE_LIMIT_RETRY_AFTER
from handlers.types import utcnow
from storage.models.outbox import SENT, OutboxMessage
from tests.bot.channels.conftest import StartService, whatsapp_settings
from tests.bot.channels.test_update_round_over_platforms import _settings
from tests.bot.outbox.helpers import broadcast_text
from tests.bot.outbox.seed import seed_owners
from tests.fakes import FakeWhatsApp


async def test_a_rate_limited_send_pauses_the_channel_then_everyone_is_reached(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service = await start_service(**_settings(tmp_path, whatsapp_settings(wa)))
    owners = await seed_owners(service.app.db, 3, channel="whatsapp")
    wa.fail_next(code=130429)  # the first send: "rate limit hit" (Graph gives no Retry-After)
    started = time.monotonic()
    await broadcast_text(service.app.db, "Pengumuman: pelatihan hari Sabtu.", now=utcnow())

    for wa_id in owners:
        await wa.wait_for_messages_async(1, to=wa_id, timeout=RATE_LIMIT_RETRY_AFTER + 10)
    elapsed = time.monotonic() - started
    assert elapsed >= RATE_LIMIT_RETRY_AFTER - 0.5  # the channel waited out the pause
    assert all(len(wa.sent_messages(to=wa_id)) == 1 for wa_id in owners)  # nobody twice
    # The fake has each message; the dispatcher commits `sent` right after the send returns.
    for _ in range(100):
        async with service.app.db.transaction() as tx:
            rows = (
                (await tx.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
            )
        if all(r.status == SENT for r in rows):
            break
        await asyncio.sleep(0.05)
    assert [r.status for r in rows] == [SENT] * 3
    assert all(r.attempts <= 1 for r in rows)  # a pause does not use up an attempt
